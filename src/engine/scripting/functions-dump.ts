// FUNCTION DUMP / RESTORE payloads and the RDB's function records, as Redis 7.0 writes them: each
// library as RDB_OPCODE_FUNCTION2 (0xf5) and its code as an RDB string; a payload adds the RDB
// version (2 bytes LE) and the CRC64 (8 bytes LE) like DUMP.
import { RdbWriter } from '../persistence/rdb-writer.js';
import { RdbReader } from '../persistence/rdb-reader.js';
import { crc64 } from '../persistence/crc64.js';
import { verifyPayload } from '../persistence/dump.js';
import { OP, RDB_VERSION } from '../persistence/rdb-types.js';

/** The RDB records of these libraries (written after the aux fields of an RDB). */
export function functionRecords(codes: Buffer[]): Buffer {
  const w = new RdbWriter();
  for (const code of codes) {
    w.u8(OP.FUNCTION2);
    w.str(code);
  }
  return Buffer.concat(w.finish());
}

export function dumpFunctions(codes: Buffer[]): Buffer {
  const body = Buffer.concat([functionRecords(codes), Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8])]);
  return Buffer.concat([body, crc64(body).digest()]);
}

/** The library codes in a FUNCTION DUMP payload, or the error reply. */
export function parseFunctionsPayload(payload: Buffer): Buffer[] | string {
  if (!verifyPayload(payload)) return 'ERR DUMP payload version or checksum are wrong';
  const r = new RdbReader(payload, payload.length - 10);
  const out: Buffer[] = [];
  try {
    while (r.remaining > 0) {
      if (r.u8() !== OP.FUNCTION2) return 'ERR given type is not a function';
      out.push(Buffer.from(r.str()));
    }
  } catch {
    return 'ERR DUMP payload version or checksum are wrong';
  }
  return out;
}
