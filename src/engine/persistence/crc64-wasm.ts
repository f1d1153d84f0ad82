// CRC-64 slice-by-8 over large inputs in WebAssembly: native 64-bit xors and shifts, where the JS
// version (crc64.ts) has to split every entry into two 32-bit halves. It is also fast from its first
// call: the JS loop runs a 1M-key RDB's checksum (~25 MB) at start-up mostly before V8 has optimised
// it. The module is assembled below from this text (no wasm toolchain in the build):
//
//   (memory (export "mem") 2)      ;; [0, 16K): the 8 tables of 256 u64; [16K, 16K + CHUNK): input
//   (func (export "update") (param $crc i64) (param $p i32) (param $end i32) (result i64)
//     (local $end8 i32)            ;; $p + the length rounded down to 8
//     loop while $p < $end8:       ;; 8 bytes at a time
//       $crc ^= i64.load($p)
//       $crc = T7[byte 0 of $crc] ^ T6[byte 1] ^ ... ^ T0[byte 7];  $p += 8
//     loop while $p < $end:        ;; the tail
//       $crc = T0[($crc ^ i32.load8_u($p)) & 255] ^ ($crc >> 8);  $p += 1
//     $crc)
//
// Compiled on first use: a start-up snapshot cannot hold a WebAssembly module.

/** Input bytes copied into the module's memory per call. */
export const WASM_CHUNK = 64 * 1024;
const TABLES = 0;
const INPUT = 16 * 1024;

const enum Op {
  Block = 0x02, Loop = 0x03, Br = 0x0c, BrIf = 0x0d, End = 0x0b, Void = 0x40,
  LocalGet = 0x20, LocalSet = 0x21, I32Const = 0x41, I64Const = 0x42,
  I32Add = 0x6a, I32Sub = 0x6b, I32And = 0x71, I32Xor = 0x73, I32Shl = 0x74, I32GeU = 0x4f,
  I64Xor = 0x85, I64ShrU = 0x88, I32WrapI64 = 0xa7, I64Load = 0x29, I32Load8U = 0x2d,
}
const CRC = 0, P = 1, END = 2, END8 = 3;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** T[table][byte of $crc at bit `shift`], the table's entry address computed on the stack. */
function tableEntry(table: number, shift: number): number[] {
  return [
    Op.LocalGet, CRC, ...(shift ? [Op.I64Const, ...sleb(shift), Op.I64ShrU] : []), Op.I32WrapI64,
    Op.I32Const, ...sleb(255), Op.I32And, Op.I32Const, 3, Op.I32Shl,
    Op.I64Load, 3, ...uleb(TABLES + table * 2048),
  ];
}

function body(): number[] {
  const words: number[] = [];
  for (let k = 0; k < 8; k++) words.push(...tableEntry(7 - k, 8 * k), ...(k ? [Op.I64Xor] : []));
  return [
    1, 1, 0x7f, // one local: $end8 i32
    Op.LocalGet, P, Op.LocalGet, END, Op.LocalGet, P, Op.I32Sub, Op.I32Const, ...sleb(-8), Op.I32And, Op.I32Add, Op.LocalSet, END8,
    Op.Block, Op.Void, Op.Loop, Op.Void,
    Op.LocalGet, P, Op.LocalGet, END8, Op.I32GeU, Op.BrIf, 1,
    Op.LocalGet, CRC, Op.LocalGet, P, Op.I64Load, 0, 0, Op.I64Xor, Op.LocalSet, CRC,
    ...words, Op.LocalSet, CRC,
    Op.LocalGet, P, Op.I32Const, 8, Op.I32Add, Op.LocalSet, P, Op.Br, 0,
    Op.End, Op.End,
    Op.Block, Op.Void, Op.Loop, Op.Void,
    Op.LocalGet, P, Op.LocalGet, END, Op.I32GeU, Op.BrIf, 1,
    Op.LocalGet, CRC, Op.I32WrapI64, Op.LocalGet, P, Op.I32Load8U, 0, 0, Op.I32Xor,
    Op.I32Const, ...sleb(255), Op.I32And, Op.I32Const, 3, Op.I32Shl, Op.I64Load, 3, ...uleb(TABLES),
    Op.LocalGet, CRC, Op.I64Const, 8, Op.I64ShrU, Op.I64Xor, Op.LocalSet, CRC,
    Op.LocalGet, P, Op.I32Const, 1, Op.I32Add, Op.LocalSet, P, Op.Br, 0,
    Op.End, Op.End,
    Op.LocalGet, CRC, Op.End,
  ];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...Buffer.from(s)];
  const code = body();
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7e, 0x7f, 0x7f, 1, 0x7e]), // type (i64, i32, i32) -> i64
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 2]), // memory: 2 pages, no maximum
    ...section(7, [2, ...name('mem'), 2, 0, ...name('update'), 0, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

export interface WasmCrc {
  /** The CRC (reflected, as the JS version keeps it) after buf[start, end). */
  update(crc: bigint, buf: Uint8Array, start: number, end: number): bigint;
}

let instance: WasmCrc | null = null;

/** The module, compiled on first call; `lo` and `hi` are the 8 tables as the JS version builds them. */
export function wasmCrc(lo: Uint32Array, hi: Uint32Array): WasmCrc {
  if (instance) return instance;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
  const mem = inst.exports.mem as WebAssembly.Memory;
  const fn = inst.exports.update as (crc: bigint, p: number, end: number) => bigint;
  const tables = new DataView(mem.buffer, TABLES, 8 * 256 * 8);
  for (let e = 0; e < 8 * 256; e++) {
    tables.setUint32(e * 8, lo[e], true);
    tables.setUint32(e * 8 + 4, hi[e], true);
  }
  const bytes = new Uint8Array(mem.buffer);
  instance = {
    update(crc, buf, start, end) {
      for (let i = start; i < end; i += WASM_CHUNK) {
        const n = Math.min(WASM_CHUNK, end - i);
        bytes.set(buf.subarray(i, i + n), INPUT);
        crc = fn(crc, INPUT, INPUT + n);
      }
      return crc;
    },
  };
  return instance;
}
