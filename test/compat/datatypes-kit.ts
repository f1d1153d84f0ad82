// Helpers for the data-type differential tests: script lines starting with `~` are compared without
// regard to element order (hashtable-encoded sets and hashes iterate in hash order in Redis); lines
// starting with `!` are sent to both but not compared (HELLO, whose client id differs).
import { diff, script, type Pair } from './harness.js';
import type { Reply } from '../helpers/resp.js';

function normalize(r: Reply): Reply {
  if ((r.t === 'array' || r.t === 'set') && r.v) return { t: r.t, v: [...r.v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  if (r.t === 'map') return { t: 'map', v: [...r.v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  return r;
}

/** Runs a script where `~`-prefixed lines compare unordered; returns the mismatches. */
export async function diffScript(pair: Pair, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const argv of script(text)) {
    if (argv[0].startsWith('!')) {
      await pair.both([argv[0].slice(1), ...argv.slice(1)]);
      continue;
    }
    const unordered = argv[0].startsWith('~');
    if (!unordered) {
      out.push(...(await diff(pair, [argv])));
      continue;
    }
    const cmd = [argv[0].slice(1), ...argv.slice(1)];
    const { redis, engine } = await pair.both(cmd);
    const [a, b] = [JSON.stringify(normalize(redis)), JSON.stringify(normalize(engine))];
    if (a !== b) out.push(`${cmd.join(' ')}\n  redis:  ${a}\n  engine: ${b}`);
  }
  return out;
}

/** The scalar value of a reply ('1', 'OK', a bulk's text), null for nulls and aggregates. */
export function scalar(r: Reply): string | null {
  return 'v' in r && (typeof r.v === 'string' || r.v === null) ? r.v : null;
}

/** The texts of an array/set reply's elements. */
export function texts(r: Reply): string[] {
  return (r.t === 'array' || r.t === 'set') && r.v ? r.v.map((x) => scalar(x) ?? '') : [];
}

/** A SCAN-family page: the next cursor and the returned items. */
export function scanPage(r: Reply): { cursor: string; items: string[] } {
  if (r.t !== 'array' || !r.v || r.v.length !== 2) throw new Error(`not a scan reply: ${JSON.stringify(r)}`);
  return { cursor: scalar(r.v[0]) ?? '', items: texts(r.v[1]) };
}
