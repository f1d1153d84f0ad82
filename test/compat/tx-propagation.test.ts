import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';
import { PORTS } from '../helpers/ports.js';

/** The AOF increment a server wrote so far, as readable text. */
function incrAof(dir: string): string {
  const aofDir = path.join(dir, 'appendonlydir');
  const file = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'));
  if (!file) throw new Error(`no incr AOF in ${aofDir}`);
  return readFileSync(path.join(aofDir, file), 'latin1').replace(/\r\n/g, ' ');
}

// EXEC hands its writes to AOF/replicas like Redis 7.0: several writes wrapped in MULTI ... EXEC
// (SELECTs inside), a single write alone, none for a read-only transaction or a failed EXEC.
describe('EXEC propagation matches redis-server', () => {
  const pair = usePair(PORTS.core + 520, ['--appendonly', 'yes', '--appendfsync', 'always']);

  it('writes the same AOF', async () => {
    const mismatches = await diff(pair, script(`
      MULTI
      SET b 1
      SELECT 3
      SET c 1
      GET c
      EXEC
      MULTI
      GET x
      EXEC
      MULTI
      INCR b
      LPUSH b x
      EXEC
      MULTI
      SET x 1
      EXEC
      SELECT 0
      MULTI
      SET y 1
      NOSUCH
      EXEC
      MULTI
      DEL nothing
      SET z 1
      DEL z
      EXEC
      SET after 1
    `));
    expect(mismatches).toEqual([]);
    const expected = incrAof(pair.redisProc.dir);
    expect(expected).toContain('MULTI');
    expect(incrAof(pair.engineProc.dir)).toBe(expected);
  });
});
