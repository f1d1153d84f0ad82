import { describe, expect, it } from 'vitest';
import { usePair } from './harness.js';
import { diffScript, scanPage, texts } from './datatypes-kit.js';
import { PORTS } from '../helpers/ports.js';

describe('set commands match redis-server', () => {
  const pair = usePair(PORTS.datatypes + 20, ['--set-max-intset-entries', '4']);

  it('membership, cardinality, encodings', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      SADD s 3 1 2 2
      SMEMBERS s
      OBJECT ENCODING s
      SADD s 4
      OBJECT ENCODING s
      SADD s 5
      OBJECT ENCODING s
      SADD i -5 10 007
      OBJECT ENCODING i
      SADD j 9223372036854775807 -9223372036854775808
      OBJECT ENCODING j
      SMEMBERS j
      SADD k 9223372036854775808
      OBJECT ENCODING k
      SADD t a b c
      OBJECT ENCODING t
      ~SMEMBERS t
      SCARD t
      SCARD missing
      SISMEMBER t a
      SISMEMBER t z
      SISMEMBER missing a
      SMISMEMBER t a z b
      SMISMEMBER missing a
      SREM t a z
      SREM t b c
      EXISTS t
      SREM missing a
      SMEMBERS missing
      SET str v
      SADD str a
      SMEMBERS str
      SCARD str
      SISMEMBER str a
      SREM str a
    `)).toEqual([]);
  });

  it('algebra and STORE forms', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      SADD a 1 2 3 4
      SADD b 3 4 5
      SADD c x y 3
      SINTER a b
      ~SINTER a b c
      SINTER a missing
      SINTER missing a
      ~SUNION a b c
      SUNION a missing
      SDIFF a b
      SDIFF a b c
      SDIFF missing a
      SINTERSTORE d a b
      SMEMBERS d
      OBJECT ENCODING d
      SUNIONSTORE d a b c
      ~SMEMBERS d
      OBJECT ENCODING d
      SDIFFSTORE d a b
      SMEMBERS d
      SINTERSTORE d a missing
      EXISTS d
      SDIFFSTORE d missing a
      SINTERCARD 2 a b
      SINTERCARD 2 a b LIMIT 1
      SINTERCARD 1 a LIMIT 0
      SINTERCARD 0 a
      SINTERCARD 3 a b
      SINTERCARD 2 a b LIMIT -1
      SINTERCARD 2 a b LIMIT x
      SINTERCARD 2 a b EXTRA
      SINTERCARD x a
      SET str v
      SINTER a str
      SINTER missing str
      SINTER str missing
      SUNION a str
      SDIFF missing str
      SINTERSTORE a str b
      SUNIONSTORE str a
      TYPE str
      SINTERCARD 2 a str
      COMMAND GETKEYS SINTERCARD 2 a b LIMIT 1
    `)).toEqual([]);
  });

  it('SMOVE, SPOP, SRANDMEMBER, SSCAN', async () => {
    expect(await diffScript(pair, `
      FLUSHALL
      SADD a 1 2
      SMOVE a b 1
      SMOVE a b 9
      SMOVE a a 2
      SMOVE a a 9
      SMOVE missing b 1
      SMEMBERS a
      SMEMBERS b
      SMOVE a b 2
      EXISTS a
      SET str v
      SMOVE b str 1
      SMOVE str b 1
      SPOP missing
      SPOP missing 2
      SPOP b 0
      SPOP b -1
      SPOP b x
      SPOP b 1 2
      SADD one x
      SPOP one
      EXISTS one
      SADD one x
      SPOP one 5
      SADD one y
      SPOP one 1
      SRANDMEMBER missing
      SRANDMEMBER missing 3
      SRANDMEMBER str
      DEL one
      SADD one z
      SRANDMEMBER one
      SRANDMEMBER one 3
      SRANDMEMBER one -3
      SRANDMEMBER one 0
      SRANDMEMBER one x
      SRANDMEMBER one 1 2
      SSCAN one 0
      SSCAN one 0 MATCH z
      SSCAN one 0 COUNT 0
      SSCAN missing 0
      SSCAN str 0
      SADD ints 5 3 1
      SSCAN ints 0
      SSCAN ints -1
      !HELLO 3
      SMEMBERS ints
      SRANDMEMBER ints 3
      SINTER ints ints
      SPOP missing 1
      SPOP ints 3
      !HELLO 2
    `)).toEqual([]);
  });

  it('SPOP with a count leaves exactly the rest and SSCAN covers every member', async () => {
    const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await pair.engine.call(['SADD', 'big', ...members]);
    const popped = await pair.engine.call(['SPOP', 'big', '50']);
    const rest = await pair.engine.call(['SMEMBERS', 'big']);
    const p = texts(popped);
    const r = texts(rest);
    expect(new Set(p).size).toBe(50);
    expect([...p, ...r].sort()).toEqual([...members].sort());
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const page = scanPage(await pair.engine.call(['SSCAN', 'big', cursor, 'COUNT', '7']));
      cursor = page.cursor;
      for (const it of page.items) seen.add(it);
      await pair.engine.call(['SREM', 'big', ...[...seen].slice(0, 3)]);
    } while (cursor !== '0');
    for (const m of r) expect(seen.has(m)).toBe(true);
  });
});
