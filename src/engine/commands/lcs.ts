// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: longest common subsequence by dynamic
// programming, walked back from the end so matches are listed last-first, as Redis lists them.
import type { CommandContext, CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';

interface Range {
  a: [number, number];
  b: [number, number];
}

function lcs(ctx: CommandContext): void {
  const { argv, reply, db, srv } = ctx;
  const vals: Buffer[] = [];
  for (const k of [argv[1], argv[2]]) {
    const v = db.get(keyStr(k));
    if (v !== undefined && !Buffer.isBuffer(v)) return reply.error('ERR The specified keys must contain string values');
    vals.push(v ?? Buffer.alloc(0));
  }
  let getLen = false;
  let getIdx = false;
  let withLen = false;
  let minLen = 0;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'idx')) getIdx = true;
    else if (is(argv[i], 'len')) getLen = true;
    else if (is(argv[i], 'withmatchlen')) withLen = true;
    else if (is(argv[i], 'minmatchlen') && i + 1 < argv.length) {
      const n = parseInt64(argv[++i]);
      if (n === null) return reply.error(NOT_INTEGER);
      minLen = n < 0n ? 0 : Number(n);
    } else return reply.error(SYNTAX);
  }
  if (getIdx && getLen) return reply.error('ERR If you want both the length and indexes, please just use IDX.');
  const [a, b] = vals;
  const w = b.length + 1;
  if ((a.length + 1) * w * 4 > srv.config.int('proto-max-bulk-len')) {
    return reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  // dp[i*w + j] = LCS length of a[0..i) and b[0..j).
  const dp = new Uint32Array((a.length + 1) * w);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i * w + j] = a[i - 1] === b[j - 1] ? dp[(i - 1) * w + j - 1] + 1 : Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
    }
  }
  const total = dp[a.length * w + b.length];
  if (getLen) return reply.int(total);
  const out = Buffer.alloc(total);
  const ranges: Range[] = [];
  let cur: Range | null = null;
  const emit = () => {
    if (cur && cur.a[1] - cur.a[0] + 1 >= minLen) ranges.push(cur);
    cur = null;
  };
  let i = a.length;
  let j = b.length;
  let k = total;
  while (i > 0 && j > 0) {
    if (a[i - 1] === b[j - 1]) {
      out[--k] = a[i - 1];
      const r = cur as Range | null;
      if (r && r.a[0] === i && r.b[0] === j) {
        r.a[0]--;
        r.b[0]--;
      } else {
        emit();
        cur = { a: [i - 1, i - 1], b: [j - 1, j - 1] };
      }
      i--;
      j--;
    } else if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) i--;
    else j--;
  }
  emit();
  if (!getIdx) return reply.bulk(out);
  reply.map(2);
  reply.bulk('matches');
  reply.array(ranges.length);
  for (const r of ranges) {
    reply.array(withLen ? 3 : 2);
    for (const [s, e] of [r.a, r.b]) {
      reply.array(2);
      reply.int(s);
      reply.int(e);
    }
    if (withLen) reply.int(r.a[1] - r.a[0] + 1);
  }
  reply.bulk('len');
  reply.int(total);
}

export const lcsCommands: CommandDef[] = [{ name: 'lcs', handler: lcs }];
