// CRC16-CCITT (XMODEM: poly 0x1021, init 0) and the key -> hash slot mapping of the Redis Cluster
// spec, with {hash tags}: only the text between the first '{' and the next '}' is hashed, if non-empty.
export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ buf[i]) & 0xff];
  return crc;
}

function crc16Latin1(s: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/** The hash slot of a key. */
export function keyHashSlot(key: Buffer): number {
  return keyRangeHashSlot(key, 0, key.length);
}

/** The hash slot of the key b[start, end) (an argument in a read buffer). */
export function keyRangeHashSlot(b: Uint8Array, start: number, end: number): number {
  // A loop, not indexOf: the keys are short and Buffer.indexOf is a call into C++.
  let open = start;
  while (open < end && b[open] !== 0x7b) open++; // '{'
  if (open < end) {
    let close = open + 1;
    while (close < end && b[close] !== 0x7d) close++; // '}'
    if (close < end && close > open + 1) return crc16(b, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(b, start, end) & (SLOT_COUNT - 1);
}

/** The same for a key held as a latin1 string by the keyspace (no Buffer allocation). */
export function keyStrHashSlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16Latin1(key, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16Latin1(key, 0, key.length) & (SLOT_COUNT - 1);
}
