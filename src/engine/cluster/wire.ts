// Redis 7.0's binary cluster bus messages: encode and decode, nothing else. Every message is a
// 2256-byte header (sender, epochs, slots bitmap, flags) then a body that depends on the type. The
// layout was checked against frames captured between redis-server 7.0.15 nodes (test fixtures in
// test/fixtures/cluster-bus). Integers are big-endian; names and IPs are fixed-size, NUL-padded.
import { SLOT_COUNT } from './crc16.js';
import type { SlotRange } from './slots.js';

export const HEADER_LEN = 2256;
export const SIG = 'RCmb';
export const PROTO_VER = 1;
export const NAME_LEN = 40;
const IP_LEN = 46;
const GOSSIP_LEN = 104;
export const BITMAP_LEN = SLOT_COUNT / 8;

// Header offsets.
const O_TOTLEN = 4;
const O_VER = 8;
const O_PORT = 10;
const O_TYPE = 12;
const O_COUNT = 14;
const O_CUR_EPOCH = 16;
const O_CFG_EPOCH = 24;
const O_OFFSET = 32;
const O_SENDER = 40;
const O_SLOTS = 80;
const O_SLAVEOF = 2128;
const O_MYIP = 2168;
const O_EXTENSIONS = 2214;
const O_PPORT = 2246;
const O_CPORT = 2248;
const O_FLAGS = 2250;
const O_STATE = 2252;
const O_MFLAGS = 2253;

/** Message types by their wire number; the names are CLUSTER INFO's cluster_stats_messages_<name>_*. */
export const MSG_TYPES = ['ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module', 'publishshard'] as const;
export type MsgType = (typeof MSG_TYPES)[number];
const TYPE_NUM = new Map<MsgType, number>(MSG_TYPES.map((t, i) => [t, i]));

/** Node flags as sent in the header (the sender's own) and in gossip entries. */
export const NODE = {
  master: 1, slave: 2, pfail: 4, fail: 8, myself: 16, handshake: 32, noaddr: 64, meet: 128, migrateTo: 256, nofailover: 512,
} as const;

/** mflags[0] bits. */
const MF_PAUSED = 1;
const MF_FORCEACK = 2;
const MF_EXT_DATA = 4;

const EXT_HOSTNAME = 0;

/** What one PING/PONG/MEET says about another node. Times are Unix seconds, as on the wire. */
export interface GossipEntry {
  id: string;
  pingSent: number;
  pongReceived: number;
  ip: string;
  port: number;
  cport: number;
  flags: number;
  pport: number;
}

export interface BusMsg {
  type: MsgType;
  /** The sender's client port, plaintext port (TLS only, else 0) and bus port. */
  port: number;
  pport: number;
  cport: number;
  currentEpoch: number;
  /** The config epoch of the sender's shard (a replica sends its master's). */
  configEpoch: number;
  /** A master's replication offset, or a replica's processed offset. */
  offset: number;
  sender: string;
  /** The slots of the sender's shard, a 2048-byte bitmap (slot s is bit s&7 of byte s>>3). */
  slots: Uint8Array;
  /** The sender's master, or null when the sender is a master. */
  slaveof: string | null;
  /** The address the sender announces, or '' (the receiver then uses the socket's peer address). */
  myip: string;
  flags: number;
  /** The sender sees the cluster as failed. */
  stateFail: boolean;
  /** A master paused for a manual failover (its offset is final). */
  paused: boolean;
  /** A failover auth request that asks for a vote even though the master is up (manual failover). */
  forceAck: boolean;
  gossip: GossipEntry[];
  /** cluster-announce-hostname of the sender (the hostname ping extension), or ''. */
  hostname: string;
  /** FAIL: the failed node. */
  failing?: string;
  /** UPDATE: a newer configuration of a node's slots. */
  update?: { configEpoch: number; id: string; slots: Uint8Array };
  /** PUBLISH / PUBLISHSHARD. */
  channel?: Buffer;
  message?: Buffer;
}

const NUL_NAME = Buffer.alloc(NAME_LEN);

function writeStr(buf: Buffer, at: number, s: string, size: number): void {
  buf.write(s, at, size, 'latin1');
}

function readStr(buf: Buffer, at: number, size: number): string {
  let end = at;
  while (end < at + size && buf[end] !== 0) end++;
  return buf.toString('latin1', at, end);
}

/** A u64 as a safe JS integer (a hostile peer's 2^64-1 epoch must not break encoding it back). */
function readU64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64BE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function extensionsLength(m: BusMsg): number {
  return m.hostname ? hostnameExtLength(m.hostname) : 0;
}

/** Record length: 8-byte ext header plus the NUL-terminated name, padded to a multiple of 8. */
const hostnameExtLength = (h: string) => 8 + Math.ceil((Buffer.byteLength(h) + 1) / 8) * 8;

function bodyLength(m: BusMsg): number {
  switch (m.type) {
    case 'ping':
    case 'pong':
    case 'meet':
      return m.gossip.length * GOSSIP_LEN + extensionsLength(m);
    case 'fail':
      return NAME_LEN;
    case 'publish':
    case 'publishshard':
      return 8 + (m.channel?.length ?? 0) + (m.message?.length ?? 0);
    case 'update':
      return 8 + NAME_LEN + BITMAP_LEN;
    default:
      return 0;
  }
}

export function encode(m: BusMsg): Buffer {
  const gossipy = m.type === 'ping' || m.type === 'pong' || m.type === 'meet';
  const withExt = gossipy && m.hostname !== '';
  const total = HEADER_LEN + bodyLength(m);
  const buf = Buffer.alloc(total);
  buf.write(SIG, 0, 'latin1');
  buf.writeUInt32BE(total, O_TOTLEN);
  buf.writeUInt16BE(PROTO_VER, O_VER);
  buf.writeUInt16BE(m.port, O_PORT);
  buf.writeUInt16BE(TYPE_NUM.get(m.type) ?? 0, O_TYPE);
  buf.writeUInt16BE(gossipy ? m.gossip.length : 0, O_COUNT);
  buf.writeBigUInt64BE(BigInt(m.currentEpoch), O_CUR_EPOCH);
  buf.writeBigUInt64BE(BigInt(m.configEpoch), O_CFG_EPOCH);
  buf.writeBigUInt64BE(BigInt(Math.max(0, m.offset)), O_OFFSET);
  writeStr(buf, O_SENDER, m.sender, NAME_LEN);
  buf.set(m.slots.subarray(0, BITMAP_LEN), O_SLOTS);
  if (m.slaveof) writeStr(buf, O_SLAVEOF, m.slaveof, NAME_LEN);
  writeStr(buf, O_MYIP, m.myip, IP_LEN - 1);
  buf.writeUInt16BE(withExt ? 1 : 0, O_EXTENSIONS);
  buf.writeUInt16BE(m.pport, O_PPORT);
  buf.writeUInt16BE(m.cport, O_CPORT);
  buf.writeUInt16BE(m.flags, O_FLAGS);
  buf[O_STATE] = m.stateFail ? 1 : 0;
  buf[O_MFLAGS] = (m.paused ? MF_PAUSED : 0) | (m.forceAck ? MF_FORCEACK : 0) | (withExt ? MF_EXT_DATA : 0);
  let at = HEADER_LEN;
  if (gossipy) {
    for (const g of m.gossip) {
      writeStr(buf, at, g.id, NAME_LEN);
      buf.writeUInt32BE(g.pingSent >>> 0, at + 40);
      buf.writeUInt32BE(g.pongReceived >>> 0, at + 44);
      writeStr(buf, at + 48, g.ip, IP_LEN - 1);
      buf.writeUInt16BE(g.port, at + 94);
      buf.writeUInt16BE(g.cport, at + 96);
      buf.writeUInt16BE(g.flags, at + 98);
      buf.writeUInt16BE(g.pport, at + 100);
      at += GOSSIP_LEN;
    }
    if (withExt) {
      buf.writeUInt32BE(hostnameExtLength(m.hostname), at);
      buf.writeUInt16BE(EXT_HOSTNAME, at + 4);
      buf.write(m.hostname, at + 8, 'utf8');
    }
  } else if (m.type === 'fail') {
    writeStr(buf, at, m.failing ?? '', NAME_LEN);
  } else if (m.type === 'publish' || m.type === 'publishshard') {
    const ch = m.channel ?? Buffer.alloc(0);
    const msg = m.message ?? Buffer.alloc(0);
    buf.writeUInt32BE(ch.length, at);
    buf.writeUInt32BE(msg.length, at + 4);
    ch.copy(buf, at + 8);
    msg.copy(buf, at + 8 + ch.length);
  } else if (m.type === 'update' && m.update) {
    buf.writeBigUInt64BE(BigInt(m.update.configEpoch), at);
    writeStr(buf, at + 8, m.update.id, NAME_LEN);
    buf.set(m.update.slots.subarray(0, BITMAP_LEN), at + 8 + NAME_LEN);
  }
  return buf;
}

/**
 * Decodes one whole frame (its totlen bytes). Returns an error text for a frame Redis would drop: a
 * wrong version, an unknown type, or a length that is not exactly what the type and counts imply.
 */
export function decode(buf: Buffer): BusMsg | string {
  if (buf.length < HEADER_LEN || buf.toString('latin1', 0, 4) !== SIG) return 'bad signature or length';
  if (buf.readUInt32BE(O_TOTLEN) !== buf.length) return 'length mismatch';
  if (buf.readUInt16BE(O_VER) !== PROTO_VER) return 'unsupported version';
  const typeNum = buf.readUInt16BE(O_TYPE);
  const type = MSG_TYPES[typeNum];
  if (type === undefined) return `unknown type ${typeNum}`;
  const count = buf.readUInt16BE(O_COUNT);
  const mflags = buf[O_MFLAGS];
  const m: BusMsg = {
    type,
    port: buf.readUInt16BE(O_PORT),
    pport: buf.readUInt16BE(O_PPORT),
    cport: buf.readUInt16BE(O_CPORT),
    currentEpoch: readU64(buf, O_CUR_EPOCH),
    configEpoch: readU64(buf, O_CFG_EPOCH),
    offset: readU64(buf, O_OFFSET),
    sender: readStr(buf, O_SENDER, NAME_LEN),
    slots: buf.subarray(O_SLOTS, O_SLOTS + BITMAP_LEN),
    slaveof: buf.subarray(O_SLAVEOF, O_SLAVEOF + NAME_LEN).equals(NUL_NAME) ? null : readStr(buf, O_SLAVEOF, NAME_LEN),
    myip: readStr(buf, O_MYIP, IP_LEN),
    flags: buf.readUInt16BE(O_FLAGS),
    stateFail: buf[O_STATE] !== 0,
    paused: (mflags & MF_PAUSED) !== 0,
    forceAck: (mflags & MF_FORCEACK) !== 0,
    gossip: [],
    hostname: '',
  };
  const body = buf.length - HEADER_LEN;
  let at = HEADER_LEN;
  const expect = (n: number): string => `${type} of length ${buf.length}, expected ${HEADER_LEN + n}`;
  switch (type) {
    case 'ping':
    case 'pong':
    case 'meet': {
      const gossipLen = count * GOSSIP_LEN;
      if (body < gossipLen) return `${type} too short for ${count} gossip entries`;
      for (let i = 0; i < count; i++, at += GOSSIP_LEN) {
        m.gossip.push({
          id: readStr(buf, at, NAME_LEN),
          pingSent: buf.readUInt32BE(at + 40),
          pongReceived: buf.readUInt32BE(at + 44),
          ip: readStr(buf, at + 48, IP_LEN),
          port: buf.readUInt16BE(at + 94),
          cport: buf.readUInt16BE(at + 96),
          flags: buf.readUInt16BE(at + 98),
          pport: buf.readUInt16BE(at + 100),
        });
      }
      if (mflags & MF_EXT_DATA) {
        const err = readExtensions(buf, at, buf.readUInt16BE(O_EXTENSIONS), m);
        if (err) return err;
      } else if (body !== gossipLen) {
        return expect(gossipLen);
      }
      return m;
    }
    case 'fail':
      if (body !== NAME_LEN) return expect(NAME_LEN);
      m.failing = readStr(buf, at, NAME_LEN);
      return m;
    case 'publish':
    case 'publishshard': {
      if (body < 8) return expect(8);
      const chLen = buf.readUInt32BE(at);
      const msgLen = buf.readUInt32BE(at + 4);
      if (body !== 8 + chLen + msgLen) return expect(8 + chLen + msgLen);
      m.channel = Buffer.from(buf.subarray(at + 8, at + 8 + chLen));
      m.message = Buffer.from(buf.subarray(at + 8 + chLen, at + 8 + chLen + msgLen));
      return m;
    }
    case 'update':
      if (body !== 8 + NAME_LEN + BITMAP_LEN) return expect(8 + NAME_LEN + BITMAP_LEN);
      m.update = { configEpoch: readU64(buf, at), id: readStr(buf, at + 8, NAME_LEN), slots: buf.subarray(at + 8 + NAME_LEN, at + 8 + NAME_LEN + BITMAP_LEN) };
      return m;
    case 'module':
      return body >= 13 ? m : expect(13); // module_id u64, len u32, type u8, payload: no modules here
    default:
      return body === 0 ? m : expect(0);
  }
}

/** Walks the ping extensions: each record's length covers its 8-byte header and ends the frame exactly. */
function readExtensions(buf: Buffer, at: number, n: number, m: BusMsg): string | null {
  for (let i = 0; i < n; i++) {
    if (at + 8 > buf.length) return 'truncated ping extension';
    const len = buf.readUInt32BE(at);
    if (len < 8 || at + len > buf.length) return 'bad ping extension length';
    if (buf.readUInt16BE(at + 4) === EXT_HOSTNAME) m.hostname = readStr(buf, at + 8, len - 8);
    at += len;
  }
  return at === buf.length ? null : 'ping extensions do not match the message length';
}

/** A slot bitmap of the given ranges. */
export function bitmapOf(ranges: SlotRange[]): Uint8Array {
  const bits = new Uint8Array(BITMAP_LEN);
  for (const [a, b] of ranges) {
    // Bit by bit only up to the first and from the last byte boundary; whole bytes are filled natively.
    let s = a;
    for (; s <= b && (s & 7) !== 0; s++) bits[s >> 3] |= 1 << (s & 7);
    const wholeEnd = (b + 1) & ~7;
    if (s < wholeEnd) {
      bits.fill(0xff, s >> 3, wholeEnd >> 3);
      s = wholeEnd;
    }
    for (; s <= b; s++) bits[s >> 3] |= 1 << (s & 7);
  }
  return bits;
}

export const hasSlot = (bits: Uint8Array, s: number): boolean => (bits[s >> 3] & (1 << (s & 7))) !== 0;

/**
 * The slots set in `claimed` and not in `known` (two wire bitmaps), ascending: what a sender claims
 * beyond what we know it owns. A byte at a time, so a bus message that moves a few slots costs 2048
 * byte tests, not a walk over every claimed slot.
 */
export function slotsAdded(claimed: Uint8Array, known: Uint8Array): number[] {
  const out: number[] = [];
  for (let byte = 0; byte < BITMAP_LEN; byte++) {
    let add = claimed[byte]! & ~known[byte]!;
    while (add !== 0) {
      const low = add & -add;
      out.push(byte * 8 + 31 - Math.clz32(low));
      add ^= low;
    }
  }
  return out;
}

/** The slots of a bitmap as ascending ranges (whole empty or full bytes skipped at once). */
export function rangesOfBitmap(bits: Uint8Array): SlotRange[] {
  const out: SlotRange[] = [];
  let start = -1;
  for (let byte = 0; byte < BITMAP_LEN; byte++) {
    const v = bits[byte];
    if ((v === 0 && start < 0) || (v === 0xff && start >= 0)) continue;
    for (let bit = 0; bit < 8; bit++) {
      const s = byte * 8 + bit;
      const on = (v & (1 << bit)) !== 0;
      if (on && start < 0) start = s;
      else if (!on && start >= 0) {
        out.push([start, s - 1]);
        start = -1;
      }
    }
  }
  if (start >= 0) out.push([start, SLOT_COUNT - 1]);
  return out;
}
