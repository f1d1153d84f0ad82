// Script flags: the `#!lua flags=...` shebang of EVAL scripts and the flags of FUNCTION's
// register_function, and what they mean for the command's own flags (Redis's scriptFlagsToCmdFlags).

export const F_NO_WRITES = 1;
export const F_ALLOW_OOM = 2;
export const F_ALLOW_STALE = 4;
export const F_NO_CLUSTER = 8;
export const F_ALLOW_CROSS_SLOT = 16;
/** An EVAL script without a shebang: checks happen per command inside it (Redis's compat mode). */
export const F_EVAL_COMPAT = 32;

export const FLAG_NAMES: [string, number][] = [
  ['no-writes', F_NO_WRITES],
  ['allow-oom', F_ALLOW_OOM],
  ['allow-stale', F_ALLOW_STALE],
  ['no-cluster', F_NO_CLUSTER],
  ['allow-cross-slot-keys', F_ALLOW_CROSS_SLOT],
];

export function flagByName(name: string): number | undefined {
  for (const [n, f] of FLAG_NAMES) if (n === name) return f;
  return undefined;
}

export function flagNames(flags: number): string[] {
  return FLAG_NAMES.filter(([, f]) => (flags & f) !== 0).map(([n]) => n);
}

export interface Shebang {
  flags: number;
  /** The body as compiled: the shebang line turned into a comment so line numbers stay. */
  code: Buffer;
}

/** Parses an EVAL body's shebang; returns the error text (without "ERR ") on a bad one. */
export function parseShebang(body: Buffer): Shebang | string {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags: F_EVAL_COMPAT, code: body };
  let end = body.indexOf(10);
  if (end < 0) end = body.length;
  const line = body.latin1Slice(0, end);
  const parts = line.split(' ').filter((p) => p !== '');
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0] ?? line}`;
  let flags = 0;
  for (const opt of parts.slice(1)) {
    if (!opt.startsWith('flags=')) return `Unknown lua shebang option: ${opt}`;
    for (const f of opt.slice(6).split(',')) {
      if (f === '') continue;
      const bit = flagByName(f);
      if (bit === undefined) return `Unexpected flag in script shebang: ${f}`;
      flags |= bit;
    }
  }
  const code = Buffer.concat([Buffer.from('--'), body.subarray(2)]);
  return { flags, code };
}
