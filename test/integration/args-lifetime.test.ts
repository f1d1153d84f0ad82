// Arguments that outlive the socket read they came in. The hot commands run on a view of the shared
// read buffer (protocol/command-args.ts); everything that keeps arguments must own a copy: the
// keyspace, a MULTI queue, a blocked client's pending commands, the AOF, the replication stream, the
// slow log, MONITOR. Each check sends the kept arguments in one read and reads them back after
// other reads went through the same buffer, with values that are binary, bigger than one read, and
// split across reads; set members and hash fields (read in place in the read buffer) likewise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespClient, encodeCommand, waitLinkUp, type Reply } from '../helpers/resp.js';
import { startEngine, stopAll, tmpDir, type Proc } from '../helpers/procs.js';

const MASTER = 12500;
const REPLICA = 12501;

/** Bytes of every value 0..255, CR LF inside, and a NUL. */
function binary(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 17) & 0xff;
  if (n > 3) b.write('\r\n', 1, 'latin1');
  return b;
}

const L = (b: Buffer) => b.toString('latin1');
const SMALL = binary(11, 1);
const MID = binary(700, 2); // past the packed and slab sizes: its own Buffer
const BIG = binary(150 * 1024, 3); // more than one 64 KB read
const MEMBER = binary(20, 4);
const FIELD = binary(9, 5);
/** Distinct binary members: enough for a hashtable set/hash read in place in the read buffer. */
const MANY = Array.from({ length: 300 }, (_, i) => Buffer.concat([binary(20, i & 0xff), Buffer.from(String(i))]));
/** More than one read's worth: the SADD/HSET that carries them arrives split across writes. */
const SPLIT_MEMBERS = Array.from({ length: 3000 }, (_, i) => Buffer.concat([binary(60, i & 0xff), Buffer.from(String(i))]));

/** Sends commands as one write and reads their replies. */
async function pipeline(c: RespClient, cmds: (string | Buffer)[][]): Promise<Reply[]> {
  c.writeRaw(Buffer.concat(cmds.map(encodeCommand)));
  const out: Reply[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.next(15_000));
  return out;
}

/** Traffic through the server's read buffer between a command and its readback. */
async function churn(c: RespClient): Promise<void> {
  const junk = Buffer.alloc(60 * 1024, 0x7a);
  await pipeline(c, [['SET', 'junk', junk], ['GET', 'junk'], ['ECHO', junk.subarray(0, 30000)], ['DEL', 'junk']]);
}

const bulk = (r: Reply): string | null => (r.t === 'bulk' ? r.v : `<${r.t} ${JSON.stringify(r)}>`);

/** The data every check reads back: key -> what GET/LRANGE/HGET/SISMEMBER must show. */
async function expectData(c: RespClient, where: string): Promise<void> {
  const got = await pipeline(c, [
    ['GET', 'small'], ['GET', 'mid'], ['GET', 'big'], ['GET', SMALL], ['GET', 'm1'], ['GET', 'm2'],
    ['LRANGE', 'list', '0', '-1'], ['HGET', 'hash', FIELD], ['SISMEMBER', 'set', MEMBER], ['GET', 'counter'],
    ['GET', 'tx1'], ['LRANGE', 'txlist', '0', '-1'], ['GET', 'pending'], ['GET', 'split'],
  ]);
  // Soft: every kept argument that came out wrong is reported, not only the first.
  expect.soft(bulk(got[0]), `${where}: small`).toBe(L(SMALL));
  expect.soft(bulk(got[1]), `${where}: mid`).toBe(L(MID));
  expect.soft(bulk(got[2]) === L(BIG), `${where}: big`).toBe(true);
  expect.soft(bulk(got[3]), `${where}: binary key`).toBe(L(MID));
  expect.soft(bulk(got[4]), `${where}: m1`).toBe(L(SMALL));
  expect.soft(bulk(got[5]), `${where}: m2`).toBe(L(MID));
  expect.soft(got[6], `${where}: list`).toEqual({ t: 'array', v: [{ t: 'bulk', v: L(MID) }, { t: 'bulk', v: L(SMALL) }] });
  expect.soft(bulk(got[7]), `${where}: hash`).toBe(L(MID));
  expect.soft(got[8], `${where}: set`).toEqual({ t: 'int', v: '1' });
  expect.soft(bulk(got[9]), `${where}: counter`).toBe('12');
  expect.soft(bulk(got[10]), `${where}: MULTI-queued SET`).toBe(L(MID));
  expect.soft(got[11], `${where}: MULTI-queued LPUSH`).toEqual({ t: 'array', v: [{ t: 'bulk', v: L(SMALL) }] });
  expect.soft(bulk(got[12]), `${where}: a blocked client's pending SET`).toBe(L(MID));
  expect.soft(bulk(got[13]) === L(BIG), `${where}: value split across writes`).toBe(true);
  const sorted = (bs: Buffer[]) => bs.map(L).sort();
  const many = await pipeline(c, [['SMEMBERS', 'vset'], ['HGETALL', 'vhash'], ['SMEMBERS', 'splitset'], ['HGETALL', 'splithash']]);
  const texts = (r: Reply) => (r.t === 'array' && r.v ? r.v.map((x) => bulk(x) ?? '') : [`<${r.t}>`]);
  const pairs = (r: Reply) => { const t = texts(r); return Array.from({ length: t.length / 2 }, (_, i) => t[2 * i] + '=' + t[2 * i + 1]).sort(); };
  expect.soft(texts(many[0]).sort(), `${where}: SADD of many members in one read`).toEqual(sorted(MANY));
  expect.soft(pairs(many[1]), `${where}: HSET of many fields in one read`).toEqual(MANY.map((f, i) => L(f) + '=' + L(MANY[MANY.length - 1 - i])).sort());
  expect.soft(texts(many[2]).sort(), `${where}: SADD split across writes`).toEqual(sorted(SPLIT_MEMBERS));
  expect.soft(pairs(many[3]), `${where}: HSET split across writes`).toEqual(SPLIT_MEMBERS.map((f) => L(f) + '=' + L(f)).sort());
}

/** Sends one command in 40 KB pieces with pauses, so the server reads it in several reads. */
async function sendSplit(c: RespClient, cmd: (string | Buffer)[]): Promise<Reply> {
  const bytes = encodeCommand(cmd);
  for (let i = 0; i < bytes.length; i += 40_000) {
    c.writeRaw(bytes.subarray(i, i + 40_000));
    await new Promise((res) => setTimeout(res, 20));
  }
  return c.next();
}

describe('arguments that outlive their read are owned copies', () => {
  let master: Proc;
  let dir: string;
  let a: RespClient;
  let b: RespClient;
  let mon: RespClient;

  beforeAll(async () => {
    dir = tmpDir('kvctl-args-');
    master = await startEngine(MASTER, { dir, args: ['--appendonly', 'yes', '--appendfsync', 'always', '--slowlog-log-slower-than', '0', '--slowlog-max-len', '1000'] });
    await startEngine(REPLICA, { args: ['--replicaof', '127.0.0.1', String(MASTER)] });
    a = await RespClient.connect(MASTER);
    b = await RespClient.connect(MASTER);
    mon = await RespClient.connect(MASTER);
    await waitLinkUp(REPLICA);
  }, 60_000);

  afterAll(async () => {
    for (const c of [a, b, mon]) c?.close();
    await stopAll();
  });

  it('writes pipelined with MULTI/EXEC, a blocked client and split values keep their bytes', async () => {
    expect(await mon.call(['MONITOR'])).toEqual({ t: 'simple', v: 'OK' });
    // One read: the hot commands on the view, and a transaction whose queued commands must own
    // their arguments until EXEC, which comes in a later read.
    const first = await pipeline(a, [
      ['SET', 'small', SMALL], ['SET', 'mid', MID], ['SET', SMALL, MID], ['MSET', 'm1', SMALL, 'm2', MID],
      ['RPUSH', 'list', MID], ['RPUSH', 'list', SMALL], ['HSET', 'hash', FIELD, MID], ['SADD', 'set', MEMBER],
      ['INCRBY', 'counter', '11'], ['INCR', 'counter'],
      ['MULTI'], ['SET', 'tx1', MID], ['LPUSH', 'txlist', SMALL],
    ]);
    expect(first.slice(-3)).toEqual([{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'QUEUED' }, { t: 'simple', v: 'QUEUED' }]);
    await churn(b);
    expect(await a.call(['EXEC'])).toEqual({ t: 'array', v: [{ t: 'simple', v: 'OK' }, { t: 'int', v: '1' }] });

    // A blocked client's next command waits in its pending queue while other reads go through.
    b.writeRaw(Buffer.concat([encodeCommand(['BLPOP', 'queue', '0']), encodeCommand(['SET', 'pending', MID])]));
    await new Promise((res) => setTimeout(res, 200));
    await churn(a);
    expect(await a.call(['RPUSH', 'queue', MID])).toEqual({ t: 'int', v: '1' });
    expect(await b.next()).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'queue' }, { t: 'bulk', v: L(MID) }] });
    expect(await b.next()).toEqual({ t: 'simple', v: 'OK' });

    // A big value whose command arrives in pieces, with pauses between them.
    const split = encodeCommand(['SET', 'split', BIG]);
    for (let i = 0; i < split.length; i += 40_000) {
      a.writeRaw(split.subarray(i, i + 40_000));
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(await a.next()).toEqual({ t: 'simple', v: 'OK' });
    expect(await a.call(['SET', 'big', BIG])).toEqual({ t: 'simple', v: 'OK' });

    // Members and fields looked up in place in the read buffer (one read), then in commands split
    // across reads; a repeated member or field in the same command counts once.
    const inOne = await pipeline(a, [
      ['SADD', 'vset', ...MANY, MANY[0]],
      ['HSET', 'vhash', ...MANY.flatMap((f, i) => [f, MANY[(i + 1) % MANY.length]])],
      ['HSET', 'vhash', ...MANY.flatMap((f, i) => [f, MANY[MANY.length - 1 - i]])],
    ]);
    expect(inOne).toEqual([{ t: 'int', v: String(MANY.length) }, { t: 'int', v: String(MANY.length) }, { t: 'int', v: '0' }]);
    await churn(b);
    expect(await sendSplit(a, ['SADD', 'splitset', ...SPLIT_MEMBERS, ...SPLIT_MEMBERS.slice(0, 10)])).toEqual({ t: 'int', v: String(SPLIT_MEMBERS.length) });
    expect(await sendSplit(a, ['HSET', 'splithash', ...SPLIT_MEMBERS.flatMap((f) => [f, f])])).toEqual({ t: 'int', v: String(SPLIT_MEMBERS.length) });
    await churn(b);
    await expectData(a, 'master');
  });

  it('MONITOR showed the exact arguments', async () => {
    const lines: string[] = [];
    // Up to the churn before EXEC: a view's argv was formatted in its own read.
    while (lines.length < 20) {
      const r = await mon.next();
      if (r.t === 'simple') lines.push(r.v.replace(/^\d+\.\d+ \[\d+ [\d.:]+\] /, ''));
    }
    const args = lines.map(unquoteArgs);
    expect(args.slice(0, 10)).toEqual([
      ['SET', 'small', L(SMALL)], ['SET', 'mid', L(MID)], ['SET', L(SMALL), L(MID)], ['MSET', 'm1', L(SMALL), 'm2', L(MID)],
      ['RPUSH', 'list', L(MID)], ['RPUSH', 'list', L(SMALL)], ['HSET', 'hash', L(FIELD), L(MID)], ['SADD', 'set', L(MEMBER)],
      ['INCRBY', 'counter', '11'], ['INCR', 'counter'],
    ]);
  });

  it('SLOWLOG kept each command line as sent (long arguments trimmed as Redis trims them)', async () => {
    const r = await a.call(['SLOWLOG', 'GET', '1000']);
    expect(r.t).toBe('array');
    const items = (x: Reply): Reply[] => (x.t === 'array' && x.v ? x.v : []);
    const entries = items(r).map((e) => items(items(e)[3]).map((x) => (x.t === 'bulk' ? (x.v ?? '') : '')));
    const find = (name: string, key: string) => entries.find((args) => args[0] === name && args[1] === key);
    expect(find('SET', 'small')).toEqual(['SET', 'small', L(SMALL)]);
    expect(find('MSET', 'm1')).toEqual(['MSET', 'm1', L(SMALL), 'm2', `${L(MID.subarray(0, 128))}... (572 more bytes)`]);
    expect(find('HSET', 'hash')).toEqual(['HSET', 'hash', L(FIELD), `${L(MID.subarray(0, 128))}... (572 more bytes)`]);
    expect(find('SADD', 'set')).toEqual(['SADD', 'set', L(MEMBER)]);
    expect(find('INCRBY', 'counter')).toEqual(['INCRBY', 'counter', '11']);
    expect(find('SET', 'tx1')).toEqual(['SET', 'tx1', `${L(MID.subarray(0, 128))}... (572 more bytes)`]);
  });

  it('CLIENT LIST shows the last command', async () => {
    await a.call(['LPUSH', 'other', SMALL]);
    const r = await a.call(['CLIENT', 'LIST']);
    expect(r.t === 'bulk' && r.v).toMatch(/cmd=client\|list/);
    const me = await b.call(['SADD', 'set2', MEMBER]);
    expect(me).toEqual({ t: 'int', v: '1' });
    const list = await a.call(['CLIENT', 'LIST']);
    expect(list.t === 'bulk' && list.v).toMatch(/cmd=sadd /);
  });

  it('the replica received the writes byte for byte', async () => {
    expect(await a.call(['WAIT', '1', '5000'])).toEqual({ t: 'int', v: '1' });
    const r = await RespClient.connect(REPLICA);
    try {
      await expectData(r, 'replica');
    } finally {
      r.close();
    }
  });

  // Dispatch reuses one CallContext for the commands run on a view (dispatch.ts call()): what one
  // command leaves in it (a propagation rewrite such as SET EX -> SET PXAT, its owned argv) must not
  // reach the next, and calls run while it is in use (a blocked client served from an afterCommand
  // hook) must not disturb it. The replica shows what was propagated.
  it('a rewritten propagation does not carry over to the next command of the read', async () => {
    const got = await pipeline(a, [
      ['SET', 'cc:ttl', 'v1', 'EX', '1000'], // the lazy form declines: the handler propagates SET ... PXAT
      ['SET', 'cc:plain', 'v2'],
      ['INCR', 'cc:n'],
      ['GETEX', 'cc:plain', 'PERSIST'],
      ['MSET', 'cc:m1', 'x', 'cc:m2', 'y'],
      ['INCR', 'cc:n'],
    ]);
    expect(got).toEqual([
      { t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }, { t: 'int', v: '1' },
      { t: 'bulk', v: 'v2' }, { t: 'simple', v: 'OK' }, { t: 'int', v: '2' },
    ]);
    expect(await a.call(['WAIT', '1', '5000'])).toEqual({ t: 'int', v: '1' });
    const r = await RespClient.connect(REPLICA);
    try {
      expect(await pipeline(r, [['GET', 'cc:ttl'], ['GET', 'cc:plain'], ['TTL', 'cc:plain'], ['GET', 'cc:n'], ['MGET', 'cc:m1', 'cc:m2']])).toEqual([
        { t: 'bulk', v: 'v1' }, { t: 'bulk', v: 'v2' }, { t: 'int', v: '-1' }, { t: 'bulk', v: '2' },
        { t: 'array', v: [{ t: 'bulk', v: 'x' }, { t: 'bulk', v: 'y' }] },
      ]);
      const ttl = await r.call(['TTL', 'cc:ttl']);
      expect(ttl.t === 'int' && Number(ttl.v) > 900).toBe(true);
    } finally {
      r.close();
    }
  });

  it('a blocked client served while a pipelined push runs on the reused context', async () => {
    b.writeRaw(encodeCommand(['BLPOP', 'cc:q', '0']));
    for (let i = 0; i < 100; i++) {
      const x = await a.call(['INFO', 'clients']);
      if (x.t === 'bulk' && x.v?.includes('blocked_clients:1')) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const got = await pipeline(a, [['RPUSH', 'cc:q', 'e1', 'e2'], ['SET', 'cc:after', 'v3'], ['LLEN', 'cc:q'], ['GET', 'cc:after']]);
    expect(got).toEqual([{ t: 'int', v: '2' }, { t: 'simple', v: 'OK' }, { t: 'int', v: '1' }, { t: 'bulk', v: 'v3' }]);
    expect(await b.next()).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'cc:q' }, { t: 'bulk', v: 'e1' }] });
    expect(await a.call(['WAIT', '1', '5000'])).toEqual({ t: 'int', v: '1' });
    const r = await RespClient.connect(REPLICA);
    try {
      expect(await pipeline(r, [['LRANGE', 'cc:q', '0', '-1'], ['GET', 'cc:after']])).toEqual([
        { t: 'array', v: [{ t: 'bulk', v: 'e2' }] }, { t: 'bulk', v: 'v3' },
      ]);
    } finally {
      r.close();
    }
  });

  it('the AOF holds them: a restart loads the same bytes', async () => {
    a.close();
    b.close();
    mon.close();
    await master.stop();
    master = await startEngine(MASTER, { dir, args: ['--appendonly', 'yes'] });
    a = await RespClient.connect(MASTER);
    b = await RespClient.connect(MASTER);
    mon = await RespClient.connect(MASTER);
    await expectData(a, 'after restart');
  }, 60_000);
});

/** The arguments of a MONITOR line (Redis's sdscatrepr quoting), decoded back to their bytes. */
function unquoteArgs(line: string): string[] {
  const out: string[] = [];
  const esc: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '"': 0x22, '\\': 0x5c };
  let i = 0;
  while (i < line.length) {
    if (line[i] !== '"') throw new Error(`unquoted MONITOR argument at ${i}: ${line}`);
    const bytes: number[] = [];
    for (i++; line[i] !== '"'; i++) {
      if (line[i] !== '\\') bytes.push(line.charCodeAt(i));
      else if (line[i + 1] === 'x') {
        bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
        i += 3;
      } else bytes.push(esc[line[++i]]);
    }
    out.push(Buffer.from(bytes).toString('latin1'));
    i += 2; // the closing quote and the space
  }
  return out;
}
