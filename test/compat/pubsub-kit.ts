// Multi-client differential scripts for pub/sub, transactions and MONITOR: the same steps run on
// several connections to redis-server and to the engine, and every reply (pushes included) must match.
//
// Script lines: `A: CMD args` sends from client A and reads its reply; `A~ CMD` the same with an array
// reply compared as a sorted set (PUBSUB CHANNELS); `A! CMD` sends without reading (MONITOR's stream,
// pending replies); `A?` reads A's next reply or push;
// `A? 3` reads the next three and compares them as a set (pattern deliveries come in hash order). Clients are A, B, C...
import type { Pair } from './harness.js';
import { script } from './harness.js';
import type { Reply, RespClient } from '../helpers/resp.js';

type Step = { who: number; mode: ':' | '~' | '!' | '?'; argv: string[]; line: string };

export function steps(text: string): Step[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((line) => {
      const m = /^([A-Z])([:~!?])\s*(.*)$/.exec(line);
      if (!m) throw new Error(`bad step: ${line}`);
      const argv = m[3] ? script(m[3])[0] : [];
      return { who: m[1].charCodeAt(0) - 65, mode: m[2] as Step['mode'], argv, line };
    });
}

function sortedArray(r: Reply): Reply {
  if ((r.t === 'array' || r.t === 'set') && r.v) return { t: r.t, v: [...r.v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  return r;
}

export interface RunOptions {
  /** Rewrites a reply before comparison (e.g. MONITOR's timestamps and client addresses). */
  normalize?: (r: Reply) => Reply;
}

/** Opens `n` clients on each server, runs the steps on both sides, returns the mismatches. */
export async function runClients(pair: Pair, n: number, text: string, opts: RunOptions = {}): Promise<string[]> {
  const sides: { redis: RespClient[]; engine: RespClient[] } = { redis: [], engine: [] };
  for (let i = 0; i < n; i++) {
    const c = await pair.connect();
    sides.redis.push(c.redis);
    sides.engine.push(c.engine);
  }
  const out: string[] = [];
  const norm = opts.normalize ?? ((r: Reply) => r);
  try {
    for (const st of steps(text)) {
      const replies = await Promise.all(
        [sides.redis, sides.engine].map(async (cs) => {
          const c = cs[st.who];
          if (st.mode === '?') {
            if (st.argv.length === 0) return c.next();
            const got: Reply[] = [];
            for (let k = Number(st.argv[0]); k > 0; k--) got.push(await c.next());
            return sortedArray({ t: 'array', v: got });
          }
          if (st.mode === '!') {
            c.writeRaw(encode(st.argv));
            return null;
          }
          const r = await c.call(st.argv);
          return st.mode === '~' ? sortedArray(r) : r;
        }),
      );
      const [a, b] = replies.map((r) => JSON.stringify(r && norm(r)));
      if (a !== b) out.push(`${st.line}\n  redis:  ${a}\n  engine: ${b}`);
    }
  } finally {
    for (const c of [...sides.redis, ...sides.engine]) c.close();
  }
  return out;
}

function encode(argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}
