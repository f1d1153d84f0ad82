// Helpers for the stream differential tests: replies carrying clocks (idle times, delivery and seen
// times) are masked before comparing, everything else must be identical.
import { script, type Pair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

const IDLE_KEYS = new Set(['idle', 'seen-time']);

/** Masks time-valued integers: unix-ms timestamps, XPENDING idle columns, XINFO idle/seen-time. */
export function maskTimes(r: Reply): unknown {
  if (r.t === 'int') return Number(r.v) > 1e12 ? 'T' : r.v;
  if ((r.t === 'array' || r.t === 'set' || r.t === 'push') && r.v) {
    const items = r.v.map(maskTimes);
    // XPENDING extended rows: [id, consumer, idle, deliveries]
    const first = r.v[0];
    if (r.v.length === 4 && first?.t === 'bulk' && /^\d+-\d+$/.test(String(first.v)) && r.v[2].t === 'int' && r.v[1].t === 'bulk') items[2] = 'I';
    // RESP2 maps as flat arrays: a value after an idle-like key
    for (let i = 0; i + 1 < r.v.length; i++) {
      const k = r.v[i];
      if (k.t === 'bulk' && IDLE_KEYS.has(String(k.v))) items[i + 1] = 'I';
    }
    return { t: r.t, v: items };
  }
  if (r.t === 'map') return { t: 'map', v: r.v.map(([k, v]) => [maskTimes(k), k.t === 'bulk' && IDLE_KEYS.has(String(k.v)) ? 'I' : maskTimes(v)]) };
  return r;
}

/** Runs the script on both servers, comparing replies with times masked; returns the mismatches. */
export async function diffMasked(pair: Pair, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const argv of script(text)) {
    // `!CMD`: sent to both, not compared (HELLO: the client ids differ).
    if (argv[0].startsWith('!')) {
      await pair.both([argv[0].slice(1), ...argv.slice(1)]);
      continue;
    }
    const { redis, engine } = await pair.both(argv);
    const [a, b] = [JSON.stringify(maskTimes(redis)), JSON.stringify(maskTimes(engine))];
    if (a !== b) out.push(`${argv.join(' ')}\n  redis:  ${a}\n  engine: ${b}`);
  }
  return out;
}
