// One stream node: a Redis stream listpack, byte for byte (so RDB files carry it as it is).
//   master entry: count, deleted, num-fields, field..., 0
//   each entry:   flags, ms-diff, seq-diff, [num-fields, field, value, ...] | [value, ...], lp-count
// flags: 1 = deleted, 2 = same fields as the master entry (only values stored). IDs are stored as
// differences from the node's master ID (the radix-tree key in Redis).
import { cur, readElem, readInt, readBytes, skip, writeInt, writeStr, intElemSize, strElemSize, LpError } from './lp-codec.js';
import { idOf, msOf, seqOf, U64_MAX, type StreamId } from './stream-id.js';

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;
const HEADER = 6;

/** One decoded entry. `fields` are views into the node: copy them before the stream changes. */
export interface StreamEntry {
  id: StreamId;
  fields: Buffer[];
}

export class StreamNode {
  /** The listpack; bytes [0, len) are live, the rest is room to append into. */
  lp: Buffer;
  len: number;
  /** Master entry facts, cached. */
  valid: number;
  deleted: number;
  masterFields: Buffer[];
  /** Offset of the first entry after the master entry. */
  firstEntry: number;

  constructor(readonly master: StreamId, lp: Buffer, len: number) {
    this.lp = lp;
    this.len = len;
    const end = len - 1;
    this.valid = Number(readInt(lp, HEADER, end));
    let p = cur.next;
    this.deleted = Number(readInt(lp, p, end));
    p = cur.next;
    const nf = Number(readInt(lp, p, end));
    p = cur.next;
    this.masterFields = [];
    for (let i = 0; i < nf; i++) {
      this.masterFields.push(Buffer.from(readBytes(lp, p, end)));
      p = cur.next;
    }
    p = skip(lp, p, end); // the master entry's 0 terminator
    this.firstEntry = p;
  }

  /** A new node holding one entry (the master entry takes its fields). */
  static create(id: StreamId, fv: Buffer[], capacity: number): StreamNode {
    const nf = fv.length / 2;
    let size = HEADER + 1 + intElemSize(1n) + intElemSize(0n) + intElemSize(BigInt(nf)) + intElemSize(0n);
    for (let i = 0; i < fv.length; i += 2) size += strElemSize(fv[i]);
    const lp = Buffer.allocUnsafe(Math.max(capacity, size + 64));
    let p = HEADER;
    p = writeInt(lp, p, 1n);
    p = writeInt(lp, p, 0n);
    p = writeInt(lp, p, BigInt(nf));
    for (let i = 0; i < fv.length; i += 2) p = writeStr(lp, p, fv[i]);
    p = writeInt(lp, p, 0n);
    lp[p] = 0xff;
    lp.writeUInt32LE(p + 1, 0);
    lp.writeUInt16LE(nf + 4, 4);
    const node = new StreamNode(id, lp, p + 1);
    node.valid = 0; // append() counts the entry
    node.append(id, fv, true);
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
    const grown = Buffer.allocUnsafe(Math.max(this.len + extra, this.lp.length * 2));
    this.lp.copy(grown, 0, 0, this.len);
    this.lp = grown;
  }

  /** Drops spare capacity (when the node stops being the tail). */
  seal(): void {
    if (this.lp.length === this.len) return;
    this.lp = Buffer.from(this.lp.subarray(0, this.len));
  }

  /** The exact listpack bytes (for RDB and DUMP). */
  bytesView(): Buffer {
    return this.lp.subarray(0, this.len);
  }

  /** Rewrites the integer element at pos, moving the rest when its size changes. Returns the size delta. */
  private replaceInt(pos: number, v: bigint): number {
    readElem(this.lp, pos, this.len - 1);
    const oldSize = cur.next - pos;
    const newSize = intElemSize(v);
    const delta = newSize - oldSize;
    if (delta !== 0) {
      this.ensure(delta);
      this.lp.copyWithin(pos + newSize, pos + oldSize, this.len);
      this.len += delta;
      this.lp.writeUInt32LE(this.len, 0);
      this.firstEntry += delta;
    }
    writeInt(this.lp, pos, v);
    return delta;
  }

  private setCounts(valid: number, deleted: number): void {
    this.valid = valid;
    this.deleted = deleted;
    this.replaceInt(HEADER, BigInt(valid));
    readElem(this.lp, HEADER, this.len - 1);
    this.replaceInt(cur.next, BigInt(deleted));
  }

  /** Appends an entry (fv = field, value, ...). */
  append(id: StreamId, fv: Buffer[], fresh = false): void {
    const nf = fv.length / 2;
    let same = nf === this.masterFields.length;
    for (let i = 0; same && i < nf; i++) same = fv[i * 2].equals(this.masterFields[i]);
    const msDiff = BigInt.asIntN(64, msOf(id) - msOf(this.master));
    const seqDiff = BigInt.asIntN(64, seqOf(id) - seqOf(this.master));
    const flags = same ? FLAG_SAMEFIELDS : 0;
    const lpCount = same ? nf + 3 : nf * 2 + 4;
    let size = intElemSize(BigInt(flags)) + intElemSize(msDiff) + intElemSize(seqDiff) + intElemSize(BigInt(lpCount));
    if (!same) size += intElemSize(BigInt(nf));
    for (let i = 0; i < fv.length; i++) if (!same || i % 2 === 1) size += strElemSize(fv[i]);
    this.ensure(size);
    const lp = this.lp;
    let p = this.len - 1; // over the terminator
    p = writeInt(lp, p, BigInt(flags));
    p = writeInt(lp, p, msDiff);
    p = writeInt(lp, p, seqDiff);
    if (!same) p = writeInt(lp, p, BigInt(nf));
    for (let i = 0; i < fv.length; i++) if (!same || i % 2 === 1) p = writeStr(lp, p, fv[i]);
    p = writeInt(lp, p, BigInt(lpCount));
    lp[p] = 0xff;
    this.len = p + 1;
    lp.writeUInt32LE(this.len, 0);
    const els = this.elements();
    if (els !== 65535) lp.writeUInt16LE(Math.min(65535, els + lpCount + 1), 4);
    if (fresh) this.setCounts(1, 0);
    else this.setCounts(this.valid + 1, this.deleted);
  }

  /** Walks every entry (deleted ones too): position of its flags, flags, ID, and where it ends. */
  *rawEntries(): Generator<{ pos: number; flags: number; id: StreamId; fieldsPos: number; end: number }> {
    const lp = this.lp;
    const end = this.len - 1;
    const mms = msOf(this.master);
    const mseq = seqOf(this.master);
    const nmf = this.masterFields.length;
    let p = this.firstEntry;
    while (p < end) {
      const pos = p;
      const flags = Number(readInt(lp, p, end));
      p = cur.next;
      const ms = (mms + readInt(lp, p, end)) & U64_MAX;
      p = cur.next;
      const seq = (mseq + readInt(lp, p, end)) & U64_MAX;
      p = cur.next;
      const fieldsPos = p;
      let n: number;
      if (flags & FLAG_SAMEFIELDS) n = nmf;
      else {
        n = Number(readInt(lp, p, end)) * 2;
        p = cur.next;
      }
      for (let i = 0; i < n; i++) p = skip(lp, p, end);
      p = skip(lp, p, end); // lp-count
      yield { pos, flags, id: idOf(ms, seq), fieldsPos, end: p };
    }
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
    writeInt(this.lp, pos, BigInt(flags | FLAG_DELETED));
    this.setCounts(this.valid - 1, this.deleted + 1);
  }

  /** Marks deleted without updating the master counts (trim batches them). */
  markDeletedRaw(pos: number, flags: number): void {
    writeInt(this.lp, pos, BigInt(flags | FLAG_DELETED));
  }

  updateCounts(valid: number, deleted: number): void {
    this.setCounts(valid, deleted);
  }

  clone(): StreamNode {
    const n = Object.create(StreamNode.prototype) as StreamNode;
    Object.assign(n, this);
    n.lp = Buffer.from(this.lp.subarray(0, this.len));
    return n;
  }
}
