// Node's Buffer has fast, undocumented-in-types slice decoders; latin1Slice turns bytes into a 1:1
// string without the generic toString() dispatch (used for keys and reply building).
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(s: string, offset?: number, length?: number): number;
  }
}
export {};
