// ZUNION/ZINTER/ZDIFF (and STORE forms) with WEIGHTS and AGGREGATE, plus ZINTERCARD. Inputs may be
// sorted sets or plain sets (members scored 1). Inputs are combined smallest first, as Redis does,
// so floating-point sums come out the same.
import type { CommandDef, CommandContext } from './table.js';
import { ZSetValue } from '../store/zset.js';
import { SetValue } from '../store/set.js';
import { keyStr } from '../store/types.js';
import { storeResult, numkeysAt } from './aggregate.js';
import { is, parseDouble, parseIntArg } from './args.js';
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors.js';
import { replyNodes } from './zsets.js';

type Op = 'union' | 'inter' | 'diff';
type Agg = 'sum' | 'min' | 'max';

interface Input {
  z: ZSetValue | SetValue | null;
  weight: number;
}

const sizeOf = (i: Input) => (i.z ? i.z.size : 0);

function* elements(z: ZSetValue | SetValue): Iterable<[Buffer, number]> {
  if (z instanceof ZSetValue) yield* z.entries();
  else for (const m of z.members()) yield [m, 1];
}

function scoreIn(z: ZSetValue | SetValue, m: Buffer): number | undefined {
  if (z instanceof ZSetValue) return z.score(m);
  return z.has(m) ? 1 : undefined;
}

function aggregate(agg: Agg, a: number, b: number): number {
  if (agg === 'sum') {
    const s = a + b;
    return Number.isNaN(s) ? 0 : s;
  }
  return agg === 'min' ? Math.min(a, b) : Math.max(a, b);
}

const weighted = (w: number, s: number) => {
  const r = w * s;
  return Number.isNaN(r) ? 0 : r;
};

function compute(op: Op, inputs: Input[], agg: Agg): Map<string, [Buffer, number]> {
  const out = new Map<string, [Buffer, number]>();
  if (op === 'diff') {
    const [first, ...rest] = inputs;
    if (!first.z) return out;
    for (const [m, s] of elements(first.z)) {
      if (!rest.some((r) => r.z && scoreIn(r.z, m) !== undefined)) out.set(keyStr(m), [m, s]);
    }
    return out;
  }
  const sorted = [...inputs].sort((a, b) => sizeOf(a) - sizeOf(b));
  if (op === 'inter') {
    if (sorted.some((i) => !i.z)) return out;
    const [first, ...rest] = sorted;
    outer: for (const [m, s] of elements(first.z as ZSetValue | SetValue)) {
      let score = weighted(first.weight, s);
      for (const r of rest) {
        const rs = scoreIn(r.z as ZSetValue | SetValue, m);
        if (rs === undefined) continue outer;
        score = aggregate(agg, score, weighted(r.weight, rs));
      }
      out.set(keyStr(m), [m, score]);
    }
    return out;
  }
  for (const i of sorted) {
    if (!i.z) continue;
    for (const [m, s] of elements(i.z)) {
      const k = keyStr(m);
      const v = weighted(i.weight, s);
      const prev = out.get(k);
      if (prev) prev[1] = aggregate(agg, prev[1], v);
      else out.set(k, [m, v]);
    }
  }
  return out;
}

interface Parsed {
  inputs: Input[];
  agg: Agg;
  withScores: boolean;
  limit: number;
}

/** Parses `numkeys key... [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES] [LIMIT n]` from argv[at]. */
function parse(ctx: CommandContext, op: Op, at: number, store: boolean, card: boolean): Parsed | null {
  const argv = ctx.argv;
  const numkeys = parseIntArg(argv[at]);
  if (numkeys === null) return (ctx.reply.error(NOT_INTEGER), null);
  if (numkeys < 1) return (ctx.reply.error(`ERR at least 1 input key is needed for '${ctx.cmd.name}' command`), null);
  if (numkeys > argv.length - at - 1) return (ctx.reply.error(SYNTAX), null);
  const inputs: Input[] = [];
  for (let i = 0; i < numkeys; i++) {
    const v = ctx.db.get(keyStr(argv[at + 1 + i]));
    if (v !== undefined && !(v instanceof ZSetValue) && !(v instanceof SetValue)) return (ctx.reply.error(WRONGTYPE), null);
    inputs.push({ z: v ?? null, weight: 1 });
  }
  const p: Parsed = { inputs, agg: 'sum', withScores: false, limit: 0 };
  for (let i = at + 1 + numkeys; i < argv.length; i++) {
    const left = argv.length - i - 1;
    if (op !== 'diff' && !card && is(argv[i], 'weights') && left >= numkeys) {
      for (let j = 0; j < numkeys; j++) {
        const w = parseDouble(argv[++i]);
        if (w === null) return (ctx.reply.error('ERR weight value is not a float'), null);
        inputs[j].weight = w;
      }
    } else if (op !== 'diff' && !card && is(argv[i], 'aggregate') && left >= 1) {
      const a = argv[++i];
      if (is(a, 'sum')) p.agg = 'sum';
      else if (is(a, 'min')) p.agg = 'min';
      else if (is(a, 'max')) p.agg = 'max';
      else return (ctx.reply.error(SYNTAX), null);
    } else if (!store && !card && is(argv[i], 'withscores')) {
      p.withScores = true;
    } else if (card && is(argv[i], 'limit') && left >= 1) {
      const n = parseIntArg(argv[++i]);
      // Redis gives one message for a malformed LIMIT and a negative one.
      if (n === null || n < 0) return (ctx.reply.error("ERR LIMIT can't be negative"), null);
      p.limit = n;
    } else {
      return (ctx.reply.error(SYNTAX), null);
    }
  }
  return p;
}

function algebraCommand(ctx: CommandContext, op: Op, store: boolean): void {
  const p = parse(ctx, op, store ? 2 : 1, store, false);
  if (!p) return;
  const result = ZSetValue.from([...compute(op, p.inputs, p.agg).values()]);
  if (!store) {
    return replyNodes(ctx, [...result.entries()].map(([member, score]) => ({ member, score })), p.withScores);
  }
  const dst = ctx.argv[1];
  const existed = ctx.db.has(keyStr(dst));
  storeResult(ctx, dst, result);
  if (result.size > 0 || existed) ctx.srv.dirty++;
  ctx.reply.int(result.size);
}

export const zsetAlgebraCommands: CommandDef[] = [
  { name: 'zunion', handler: (ctx) => algebraCommand(ctx, 'union', false), getKeys: numkeysAt(1) },
  { name: 'zinter', handler: (ctx) => algebraCommand(ctx, 'inter', false), getKeys: numkeysAt(1) },
  { name: 'zdiff', handler: (ctx) => algebraCommand(ctx, 'diff', false), getKeys: numkeysAt(1) },
  { name: 'zunionstore', handler: (ctx) => algebraCommand(ctx, 'union', true), getKeys: numkeysAt(2, true) },
  { name: 'zinterstore', handler: (ctx) => algebraCommand(ctx, 'inter', true), getKeys: numkeysAt(2, true) },
  { name: 'zdiffstore', handler: (ctx) => algebraCommand(ctx, 'diff', true), getKeys: numkeysAt(2, true) },
  {
    name: 'zintercard',
    handler(ctx) {
      const p = parse(ctx, 'inter', 1, false, true);
      if (!p) return;
      const n = compute('inter', p.inputs, 'sum').size;
      ctx.reply.int(p.limit > 0 ? Math.min(n, p.limit) : n);
    },
    getKeys: numkeysAt(1),
  },
];
