// One stream node: a Redis stream listpack, byte for byte (so RDB files carry it as it is).
//   master entry: count, deleted, num-fields, field..., 0
//   each entry:   flags, ms-diff, seq-diff, [num-fields, field, value, ...] | [value, ...], lp-count
// flags: 1 = deleted, 2 = same fields as the master entry (only values stored). IDs are stored as
// differences from the node's master ID (the radix-tree key in Redis).
import { cur, readElem, readInt, readBytes, readSmallInt, skip, writeInt, writeIntNum, writeStr, intElemSize, intElemSizeNum, strElemSize, LpError } from './lp-codec.js';
import { idOf, msOf, seqOf, U64_MAX, NUM_SAFE, type StreamId } from './stream-id.js';

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;
const HEADER = 6;
const BIG_SAFE = BigInt(NUM_SAFE);

/** Byte equality of two short field names (a JS loop: cheaper than Buffer#equals' binding call). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n > 32) return a.equals(b);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Size of an ID difference element (a number when exact, else the 64-bit BigInt). */
const diffSize = (d: number | bigint): number => (typeof d === 'number' ? intElemSizeNum(d) : intElemSize(d));
const writeDiff = (lp: Buffer, p: number, d: number | bigint): number => (typeof d === 'number' ? writeIntNum(lp, p, d) : writeInt(lp, p, d));

/** One decoded entry. `fields` are views into the node: copy them before the stream changes. */
export interface StreamEntry {
  id: StreamId;
  fields: Buffer[];
}

/** An entry collected for a reader (collectLive), with its ID already as text for the reply. */
export interface ReadEntry extends StreamEntry {
  str: string;
}

/** idAt()'s last ID as text. */
let idText = '';

/** The sealed node whose master fields were decoded last, and those fields. */
const decoded: { node: StreamNode | null; fields: Buffer[] } = { node: null, fields: [] };

export class StreamNode {
  /** The listpack; bytes [0, len) are live, the rest is room to append into. */
  lp: Buffer;
  len: number;
  /** Master entry facts, cached. */
  valid: number;
  deleted: number;
  /** How many fields the master entry has. */
  nmf: number;
  /**
   * The master entry's fields, decoded while this is the tail (appends compare against them); a
   * sealed node decodes them on demand (masterFields), saving two objects per node.
   */
  private tailFields: Buffer[] | null;
  private sealed = false;
  /** Offset of the first entry after the master entry. */
  firstEntry: number;
  /** The master ID's halves as numbers when both are below 2^53, else -1 (appends then use BigInts). */
  private readonly mMs: number;
  private readonly mSeq: number;

  constructor(readonly master: StreamId, lp: Buffer, len: number) {
    const ms = msOf(master);
    const seq = seqOf(master);
    const small = ms < BIG_SAFE && seq < BIG_SAFE;
    this.mMs = small ? Number(ms) : -1;
    this.mSeq = small ? Number(seq) : -1;
    this.lp = lp;
    this.len = len;
    this.valid = 0;
    this.deleted = 0;
    this.nmf = 0;
    this.tailFields = null;
    this.firstEntry = 0;
    this.parseMaster();
  }

  /**
   * Reads the master entry. Its fields are views into lp (no pooled copies pinning 8 KB slabs), so
   * this runs again whenever lp is reallocated or the master entry moves.
   */
  private parseMaster(): void {
    const lp = this.lp;
    const end = this.len - 1;
    this.valid = Number(readInt(lp, HEADER, end));
    let p = cur.next;
    this.deleted = Number(readInt(lp, p, end));
    p = cur.next;
    const nf = Number(readInt(lp, p, end));
    p = cur.next;
    this.nmf = nf;
    const fieldsPos = p;
    for (let i = 0; i < nf; i++) p = skip(lp, p, end);
    this.firstEntry = skip(lp, p, end); // past the master entry's 0 terminator
    this.tailFields = this.sealed ? null : this.decodeFields(fieldsPos);
    if (decoded.node === this) decoded.node = null; // its views may point into the old lp
  }

  /** The master entry's field names: views into lp, or decimal copies of integer-encoded ones. */
  private decodeFields(p: number): Buffer[] {
    const lp = this.lp;
    const end = this.len - 1;
    const fields: Buffer[] = [];
    for (let i = 0; i < this.nmf; i++) {
      readElem(lp, p, end);
      fields.push(cur.isInt ? Buffer.from(String(cur.int)) : lp.subarray(cur.strStart, cur.strEnd));
      p = cur.next;
    }
    return fields;
  }

  /** The master entry's field names (a sealed node's last decode is kept: readers walk node by node). */
  get masterFields(): Buffer[] {
    if (this.tailFields) return this.tailFields;
    if (decoded.node !== this) {
      const end = this.len - 1;
      readInt(this.lp, HEADER, end);
      const p = skip(this.lp, skip(this.lp, cur.next, end), end); // past deleted and num-fields
      decoded.fields = this.decodeFields(p);
      decoded.node = this;
    }
    return decoded.fields;
  }

  /** A new node holding one entry (the master entry takes its fields); ms/seq as in append(). */
  static create(id: StreamId, fv: Buffer[], capacity: number, ms = -1, seq = -1): StreamNode {
    const nf = fv.length / 2;
    let size = HEADER + 1 + intElemSizeNum(1) + intElemSizeNum(0) + intElemSizeNum(nf) + intElemSizeNum(0);
    for (let i = 0; i < fv.length; i += 2) size += strElemSize(fv[i]);
    const lp = Buffer.allocUnsafeSlow(Math.max(capacity, size + 64));
    let p = HEADER;
    p = writeIntNum(lp, p, 1);
    p = writeIntNum(lp, p, 0);
    p = writeIntNum(lp, p, nf);
    for (let i = 0; i < fv.length; i += 2) p = writeStr(lp, p, fv[i]);
    p = writeIntNum(lp, p, 0);
    lp[p] = 0xff;
    lp.writeUInt32LE(p + 1, 0);
    lp.writeUInt16LE(nf + 4, 4);
    const node = new StreamNode(id, lp, p + 1);
    node.valid = 0; // append() counts the entry
    node.append(id, fv, true, ms, seq);
    return node;
  }

  /** Builds a node over a listpack read from an RDB (validated by the walk). */
  static fromListpack(master: StreamId, lp: Buffer): StreamNode {
    if (lp.length < HEADER + 1 || lp.readUInt32LE(0) !== lp.length || lp[lp.length - 1] !== 0xff) throw new LpError('listpack header mismatch');
    const node = new StreamNode(master, lp, lp.length);
    let n = 0;
    for (const e of node.rawEntries()) if (!(e.flags & FLAG_DELETED)) n++;
    if (n !== node.valid) throw new LpError('stream node entry count mismatch');
    return node;
  }

  get bytes(): number {
    return this.len;
  }

  /** Entries including deleted ones (what stream-node-max-entries counts). */
  get total(): number {
    return this.valid + this.deleted;
  }

  private elements(): number {
    return this.lp.readUInt16LE(4);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.lp.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.len + extra, this.lp.length * 2));
    this.lp.copy(grown, 0, 0, this.len);
    this.lp = grown;
    this.parseMaster();
  }

  /** Drops spare capacity and the decoded master fields (when the node stops being the tail). */
  seal(): void {
    this.sealed = true;
    this.tailFields = null;
    if (this.lp.length === this.len) return;
    // An own allocation: a pooled copy would pin an 8 KB slab shared with short-lived buffers.
    const exact = Buffer.allocUnsafeSlow(this.len);
    this.lp.copy(exact, 0, 0, this.len);
    this.lp = exact;
    this.parseMaster();
  }

  /** The exact listpack bytes (for RDB and DUMP). */
  bytesView(): Buffer {
    return this.lp.subarray(0, this.len);
  }

  /** Rewrites the integer element at pos, moving the rest when its size changes. Returns the size delta. */
  private replaceInt(pos: number, v: number): number {
    const oldSize = skip(this.lp, pos, this.len - 1) - pos;
    const newSize = intElemSizeNum(v);
    const delta = newSize - oldSize;
    if (delta !== 0) {
      this.ensure(delta);
      this.lp.copyWithin(pos + newSize, pos + oldSize, this.len);
      this.len += delta;
      this.lp.writeUInt32LE(this.len, 0);
    }
    writeIntNum(this.lp, pos, v);
    if (delta !== 0) {
      const [valid, deleted] = [this.valid, this.deleted];
      this.parseMaster();
      [this.valid, this.deleted] = [valid, deleted]; // setCounts is midway: keep its numbers
    }
    return delta;
  }

  /** Rewrites the master entry's counts; only those that changed (an append touches `valid` alone). */
  private setCounts(valid: number, deleted: number): void {
    const [oldValid, oldDeleted] = [this.valid, this.deleted];
    this.valid = valid;
    this.deleted = deleted;
    if (valid !== oldValid) this.replaceInt(HEADER, valid);
    if (deleted !== oldDeleted) this.replaceInt(skip(this.lp, HEADER, this.len - 1), deleted);
  }

  /**
   * Appends an entry (fv = field, value, ...). ms/seq: the ID's halves as exact numbers when the
   * caller has them (both below 2^53), else -1: the differences are then taken on BigInts.
   */
  append(id: StreamId, fv: Buffer[], fresh = false, ms = -1, seq = -1): void {
    const nf = fv.length / 2;
    const mf = this.masterFields;
    let same = nf === mf.length;
    for (let i = 0; same && i < nf; i++) same = sameBytes(fv[i * 2], mf[i]);
    let msDiff: number | bigint;
    let seqDiff: number | bigint;
    if (ms >= 0 && this.mMs >= 0) {
      msDiff = ms - this.mMs;
      seqDiff = seq - this.mSeq;
    } else {
      msDiff = BigInt.asIntN(64, msOf(id) - msOf(this.master));
      seqDiff = BigInt.asIntN(64, seqOf(id) - seqOf(this.master));
    }
    const flags = same ? FLAG_SAMEFIELDS : 0;
    const lpCount = same ? nf + 3 : nf * 2 + 4;
    let size = 2 + diffSize(msDiff) + diffSize(seqDiff) + intElemSizeNum(lpCount);
    if (!same) size += intElemSizeNum(nf);
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) size += strElemSize(fv[i]);
    this.ensure(size);
    const lp = this.lp;
    let p = this.len - 1; // over the terminator
    p = writeIntNum(lp, p, flags);
    p = writeDiff(lp, p, msDiff);
    p = writeDiff(lp, p, seqDiff);
    if (!same) p = writeIntNum(lp, p, nf);
    for (let i = same ? 1 : 0; i < fv.length; i += same ? 2 : 1) p = writeStr(lp, p, fv[i]);
    p = writeIntNum(lp, p, lpCount);
    lp[p] = 0xff;
    this.len = p + 1;
    lp.writeUInt32LE(this.len, 0);
    const els = this.elements();
    if (els !== 65535) lp.writeUInt16LE(Math.min(65535, els + lpCount + 1), 4);
    if (fresh) this.setCounts(1, 0);
    else this.setCounts(this.valid + 1, this.deleted);
  }

  /**
   * Walks every entry (deleted ones too) from the entry at `from` (an entry position, the first one
   * by default): position of its flags, flags, ID, and where it ends.
   */
  *rawEntries(from = this.firstEntry): Generator<{ pos: number; flags: number; id: StreamId; fieldsPos: number; end: number }> {
    const lp = this.lp;
    const end = this.len - 1;
    const mms = msOf(this.master);
    const mseq = seqOf(this.master);
    const nmf = this.nmf;
    let p = from;
    while (p < end) {
      const pos = p;
      let flags = readSmallInt(lp, p, end);
      if (flags !== flags) flags = Number(readInt(lp, p, end));
      p = cur.next;
      const ms = (mms + readInt(lp, p, end)) & U64_MAX;
      p = cur.next;
      const seq = (mseq + readInt(lp, p, end)) & U64_MAX;
      p = cur.next;
      const fieldsPos = p;
      p = this.skipFields(p, flags, nmf, end);
      yield { pos, flags, id: idOf(ms, seq), fieldsPos, end: p };
    }
  }

  /** Skips an entry's fields/values and its lp-count, from the element after its seq-diff. */
  private skipFields(p: number, flags: number, nmf: number, end: number): number {
    const lp = this.lp;
    let n: number;
    if (flags & FLAG_SAMEFIELDS) n = nmf;
    else {
      n = readSmallInt(lp, p, end);
      if (n !== n) n = Number(readInt(lp, p, end));
      n *= 2;
      p = cur.next;
    }
    for (let i = 0; i < n; i++) p = skip(lp, p, end);
    return skip(lp, p, end); // lp-count
  }

  /**
   * Position of the first entry (deleted or not) with ID >= id, scanning from the entry at `from`;
   * -1 when there is none. Compares the stored ID differences as numbers (no BigInt per entry),
   * falling back to full IDs where a difference is 64-bit or could have wrapped.
   */
  seek(id: StreamId, from = this.firstEntry): number {
    // The target as differences from the master ID, exact as numbers when every half is below 2^53.
    const ims = Number(id >> 64n);
    const iseq = Number(id & U64_MAX);
    if (this.mMs < 0 || ims >= NUM_SAFE || iseq >= NUM_SAFE) return this.seekSlow(id, from);
    const tms = ims - this.mMs;
    const tseq = iseq - this.mSeq;
    const mseqN = this.mSeq;
    const lp = this.lp;
    const end = this.len - 1;
    const nmf = this.nmf;
    let p = from;
    while (p < end) {
      const pos = p;
      const flags = readSmallInt(lp, p, end);
      const ms = readSmallInt(lp, cur.next, end);
      const seq = readSmallInt(lp, cur.next, end);
      // NaN (a 64-bit field) or a sequence that wrapped below 0: let the BigInt walk decide.
      if (flags !== flags || ms !== ms || seq !== seq || ms < 0 || mseqN + seq < 0) return this.seekSlow(id, pos);
      if (ms > tms || (ms === tms && seq >= tseq)) return pos;
      p = this.skipFields(cur.next, flags, nmf, end);
    }
    return -1;
  }

  private seekSlow(id: StreamId, from: number): number {
    for (const e of this.rawEntries(from)) if (e.id >= id) return e.pos;
    return -1;
  }

  /**
   * Pushes the live entries from the entry at `from` onto out until out holds `limit` (0: no limit);
   * true when it got there. A loop, not rawEntries(): XREAD/XREADGROUP call this per request.
   */
  collectLive(from: number, out: ReadEntry[], limit: number): boolean {
    const lp = this.lp;
    const end = this.len - 1;
    const nmf = this.nmf;
    let p = from;
    while (p < end) {
      let flags = readSmallInt(lp, p, end);
      if (flags !== flags) flags = Number(readInt(lp, p, end));
      const idPos = cur.next;
      const fieldsPos = skip(lp, skip(lp, idPos, end), end);
      const next = this.skipFields(fieldsPos, flags, nmf, end);
      if (!(flags & FLAG_DELETED)) {
        const id = this.idAt(idPos, end);
        out.push({ id, fields: this.fieldsAt(flags, fieldsPos), str: idText });
        if (out.length === limit) return true;
      }
      p = next;
    }
    return false;
  }

  /**
   * The full ID of the entry whose ms-difference element is at pos, its text left in idText (made
   * from numbers while exact: a BigInt's toString costs more than the rest of a small read).
   */
  private idAt(pos: number, end: number): StreamId {
    const lp = this.lp;
    if (this.mMs >= 0) {
      const ms = this.mMs + readSmallInt(lp, pos, end);
      const seq = this.mSeq + readSmallInt(lp, cur.next, end);
      // NaN (a 64-bit difference) and sums that wrapped below 0 fail these and take the BigInt way.
      if (ms >= 0 && seq >= 0 && ms < NUM_SAFE && seq < NUM_SAFE) {
        idText = `${ms}-${seq}`;
        return seq === 0 ? BigInt(ms) << 64n : (BigInt(ms) << 64n) | BigInt(seq);
      }
    }
    const ms = (msOf(this.master) + readInt(lp, pos, end)) & U64_MAX;
    const seq = (seqOf(this.master) + readInt(lp, cur.next, end)) & U64_MAX;
    idText = `${ms}-${seq}`;
    return idOf(ms, seq);
  }

  /** The fields of the entry whose fields start at fieldsPos (views into the node). */
  fieldsAt(flags: number, fieldsPos: number): Buffer[] {
    const lp = this.lp;
    const end = this.len - 1;
    let p = fieldsPos;
    const out: Buffer[] = [];
    if (flags & FLAG_SAMEFIELDS) {
      for (const f of this.masterFields) {
        out.push(f, readBytes(lp, p, end));
        p = cur.next;
      }
      return out;
    }
    const n = Number(readInt(lp, p, end)) * 2;
    p = cur.next;
    for (let i = 0; i < n; i++) {
      out.push(readBytes(lp, p, end));
      p = cur.next;
    }
    return out;
  }

  /** Live entries in ID order. */
  *entries(): Generator<StreamEntry> {
    for (const e of this.rawEntries()) if (!(e.flags & FLAG_DELETED)) yield { id: e.id, fields: this.fieldsAt(e.flags, e.fieldsPos) };
  }

  /** ID of the last entry, deleted or not (what MINID trimming compares). */
  lastRawId(): StreamId {
    let last = this.master;
    for (const e of this.rawEntries()) last = e.id;
    return last;
  }

  /** Marks the entry at pos deleted (flags are one byte either way: no move). */
  markDeleted(pos: number, flags: number): void {
    writeIntNum(this.lp, pos, flags | FLAG_DELETED);
    this.setCounts(this.valid - 1, this.deleted + 1);
  }

  /** Marks deleted without updating the master counts (trim batches them). */
  markDeletedRaw(pos: number, flags: number): void {
    writeIntNum(this.lp, pos, flags | FLAG_DELETED);
  }

  updateCounts(valid: number, deleted: number): void {
    this.setCounts(valid, deleted);
  }

  clone(): StreamNode {
    const lp = Buffer.allocUnsafeSlow(this.len);
    this.lp.copy(lp, 0, 0, this.len);
    return new StreamNode(this.master, lp, this.len);
  }
}
