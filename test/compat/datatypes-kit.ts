// Helpers for the data-type differential tests: script lines starting with `~` are compared without
// regard to element order (hashtable-encoded sets and hashes iterate in hash order in Redis).
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
