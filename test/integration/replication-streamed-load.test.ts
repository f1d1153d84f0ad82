// A replica decodes the full-sync payload while it arrives, beside its old dataset (issue 20). Against
// a scripted master on loopback: the old keys are served, and no key of the new dataset, until the
// payload is complete; a payload cut off, with a wrong checksum or malformed midway leaves the old
// dataset and the node serving, and the next attempt syncs; `$len` payloads delivered one byte per
// write and `$EOF:` payloads split inside their end mark decode to the same dataset (repl-diskless-load
// disabled and swapdb); a cluster replica's slot index holds the adopted keys.
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEngine, stopAll, type Proc } from '../helpers/procs.js';
import { RespClient, type Reply } from '../helpers/resp.js';
import { trailer, writeDbHeader, writeHeader } from '../../src/engine/persistence/rdb.js';
import { RdbWriter, writeEntry } from '../../src/engine/persistence/rdb-writer.js';
import { keyStrHashSlot } from '../../src/engine/cluster/crc16.js';

const BASE = 12640; // 12640-12659: a replica and a scripted master per test (2 ports each), the cluster pair on 12658-12659
const REPLID = 'a'.repeat(40);
const MARK = 'e'.repeat(40);
const KEYS = 300;

/** The scripted master's dataset: KEYS strings in db 0 (one with a TTL) and one in db 2. */
function payload(): Buffer {
  const w = new RdbWriter({ compress: false, listMaxListpackSize: -2 });
  writeHeader(w, { aux: [['repl-id', REPLID], ['repl-offset', 0], ['repl-stream-db', 0]] });
  writeDbHeader(w, 0, KEYS, 1);
  for (let i = 0; i < KEYS; i++) writeEntry(w, `new:${i}`, `value:${i}`.repeat(3), i === 0 ? Date.now() + 3_600_000 : undefined);
  writeDbHeader(w, 2, 1, 0);
  writeEntry(w, 'other', 'db2', undefined);
  const chunks = w.finish();
  chunks.push(trailer(chunks, true));
  return Buffer.concat(chunks);
}

/** How one sync attempt delivers the payload after +FULLRESYNC; the socket stays open unless it ends it. */
type Delivery = (sock: net.Socket) => Promise<void>;

const write = (sock: net.Socket, data: Buffer | string): Promise<void> =>
  new Promise((resolve) => {
    if (sock.destroyed) return resolve();
    sock.write(data, () => resolve());
  });

async function inPieces(sock: net.Socket, data: Buffer, size: number): Promise<void> {
  for (let i = 0; i < data.length && !sock.destroyed; i += size) {
    await write(sock, data.subarray(i, i + size));
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * A master that answers the handshake (PING, REPLCONF, PSYNC) and hands the n-th PSYNC's payload to
 * deliveries[n] (the last one repeats). Counts the PSYNCs it got.
 */
class ScriptedMaster {
  psyncs = 0;
  private readonly server: net.Server;
  private readonly socks = new Set<net.Socket>();

  constructor(readonly port: number, private readonly deliveries: Delivery[]) {
    this.server = net.createServer((s) => this.serve(s));
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  close(): Promise<void> {
    for (const s of this.socks) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(sock: net.Socket): void {
    this.socks.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => this.socks.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const cmd = takeCommand(buf);
        if (!cmd) return;
        buf = buf.subarray(cmd.used);
        const name = cmd.argv[0]?.toUpperCase();
        if (name === 'PING') sock.write('+PONG\r\n');
        else if (name === 'REPLCONF') {
          if (cmd.argv[1]?.toUpperCase() !== 'ACK') sock.write('+OK\r\n');
        } else if (name === 'PSYNC') {
          const delivery = this.deliveries[Math.min(this.psyncs, this.deliveries.length - 1)];
          this.psyncs++;
          sock.write(`+FULLRESYNC ${REPLID} 0\r\n`);
          void delivery(sock);
        }
      }
    });
  }
}

/** One RESP multibulk command from the start of buf, or null when it is not all there. */
function takeCommand(buf: Buffer): { argv: string[]; used: number } | null {
  if (buf.length === 0 || buf[0] !== 0x2a) return null;
  let nl = buf.indexOf('\r\n');
  if (nl < 0) return null;
  const n = Number(buf.latin1Slice(1, nl));
  let at = nl + 2;
  const argv: string[] = [];
  for (let i = 0; i < n; i++) {
    nl = buf.indexOf('\r\n', at);
    if (nl < 0) return null;
    const len = Number(buf.latin1Slice(at + 1, nl));
    if (buf.length < nl + 2 + len + 2) return null;
    argv.push(buf.latin1Slice(nl + 2, nl + 2 + len));
    at = nl + 2 + len + 2;
  }
  return { argv, used: at };
}

const text = (r: Reply): string | null => (r.t === 'null' ? null : r.t === 'array' || r.t === 'map' || r.t === 'set' || r.t === 'push' ? JSON.stringify(r.v) : (r.v as string | null));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function replInfo(c: RespClient): Promise<string> {
  return String(text(await c.call(['INFO', 'replication'])));
}

/** The replica's whole dataset as db:key=value lines. */
async function dataset(c: RespClient): Promise<string[]> {
  const out: string[] = [];
  for (const db of [0, 2]) {
    await c.call(['SELECT', String(db)]);
    const r = await c.call(['KEYS', '*']);
    if (r.t !== 'array' || r.v === null) throw new Error(`KEYS: ${JSON.stringify(r)}`);
    for (const k of r.v) {
      const key = String(text(k));
      out.push(`${db}:${key}=${text(await c.call(['GET', key]))}`);
    }
  }
  await c.call(['SELECT', '0']);
  return out.sort();
}

const expected = (): string[] =>
  [...Array.from({ length: KEYS }, (_, i) => `0:new:${i}=${`value:${i}`.repeat(3)}`), '2:other=db2'].sort();

let port = BASE;
let master: ScriptedMaster | null = null;
let replica: Proc | null = null;
let client: RespClient | null = null;

/** A replica on the next two ports holding the key `old`, and a scripted master it replicates from. */
async function setup(deliveries: Delivery[], args: string[] = []): Promise<{ c: RespClient; m: ScriptedMaster; p: Proc }> {
  const rport = port++;
  const mport = port++;
  master = new ScriptedMaster(mport, deliveries);
  await master.listen();
  replica = await startEngine(rport, { args: ['--repl-timeout', '60', ...args] });
  client = await RespClient.connect(rport);
  await client.call(['SET', 'old', 'kept']);
  await client.call(['REPLICAOF', '127.0.0.1', String(mport)]);
  return { c: client, m: master, p: replica };
}

afterEach(async () => {
  client?.close();
  client = null;
  await master?.close();
  master = null;
  await replica?.stop();
  replica = null;
});

afterAll(async () => {
  await stopAll();
});

const whole = (data: Buffer): Delivery => async (sock) => {
  await write(sock, `$${data.length}\r\n`);
  await inPieces(sock, data, 64 * 1024);
};

describe('a replica decodes the full-sync payload as it arrives', () => {
  for (const mode of ['disabled', 'swapdb']) {
    it(`repl-diskless-load ${mode}: a payload cut off leaves the old data; one byte per write decodes the same`, async () => {
      const rdb = payload();
      let cutDone!: () => void;
      const cut = new Promise<void>((r) => (cutDone = r));
      const { c, m, p } = await setup([
        async (sock) => {
          await write(sock, `$${rdb.length}\r\n`);
          await inPieces(sock, rdb.subarray(0, Math.floor(rdb.length / 2)), 100);
          // Half the payload is in: the replica still serves the old dataset and none of the new one.
          await new Promise((r) => setTimeout(r, 100));
          cutDone();
          sock.destroy();
        },
        async (sock) => {
          await write(sock, `$${rdb.length}\r\n`);
          await inPieces(sock, rdb, 1);
        },
      ], ['--repl-diskless-load', mode]);
      await cut;
      expect(text(await c.call(['GET', 'old']))).toBe('kept');
      expect(text(await c.call(['GET', 'new:1']))).toBeNull();
      expect(text(await c.call(['DBSIZE']))).toBe('1');
      await until('the second attempt to finish', async () => (await replInfo(c)).includes('master_link_status:up'));
      expect(m.psyncs).toBe(2);
      expect(text(await c.call(['GET', 'old']))).toBeNull();
      expect(await dataset(c)).toEqual(expected());
      expect(Number(text(await c.call(['TTL', 'new:0'])))).toBeGreaterThan(3000);
      expect(p.output()).toContain('Done loading RDB, keys loaded: 301, keys expired: 0.');
    });
  }

  it('an $EOF: payload split inside its end mark decodes to the same dataset', async () => {
    const rdb = payload();
    const { c } = await setup([
      async (sock) => {
        await write(sock, `$EOF:${MARK}\r\n`);
        // 7-byte pieces: the 40-byte mark straddles several reads.
        await inPieces(sock, Buffer.concat([rdb, Buffer.from(MARK)]), 7);
      },
    ]);
    await until('the sync', async () => (await replInfo(c)).includes('master_link_status:up'));
    expect(await dataset(c)).toEqual(expected());
  });

  it('an $EOF: payload whose end mark arrives in one read with the payload decodes to the same dataset', async () => {
    const rdb = payload();
    const { c } = await setup([
      async (sock) => {
        await write(sock, `$EOF:${MARK}\r\n`);
        await write(sock, Buffer.concat([rdb, Buffer.from(MARK)]));
      },
    ]);
    await until('the sync', async () => (await replInfo(c)).includes('master_link_status:up'));
    expect(await dataset(c)).toEqual(expected());
  });

  it('a payload with a wrong checksum leaves the old data and the node serving; the next attempt syncs', async () => {
    const rdb = payload();
    const bad = Buffer.from(rdb);
    bad[bad.indexOf('value:7')] ^= 0x01; // a value's byte: decodes fine, the CRC64 does not match
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { c, m, p } = await setup([whole(bad), async (sock) => gate.then(() => whole(rdb)(sock))]);
    await until('the corrupt payload to be refused', async () => p.output().includes('Wrong RDB checksum'));
    expect(text(await c.call(['PING']))).toBe('PONG');
    expect(text(await c.call(['GET', 'old']))).toBe('kept');
    expect(text(await c.call(['DBSIZE']))).toBe('1');
    open();
    await until('the next attempt to finish', async () => (await replInfo(c)).includes('master_link_status:up'));
    expect(m.psyncs).toBe(2);
    expect(await dataset(c)).toEqual(expected());
    expect(p.output()).toContain('Failed trying to load the MASTER synchronization DB from disk, check server logs.');
  });

  it('a payload malformed midway ends the attempt before the rest arrives; the old data stays', async () => {
    const rdb = payload();
    const bad = Buffer.from(rdb);
    // The type byte of a key in the middle: no such RDB type.
    bad[bad.indexOf('new:150') - 2] = 0xf0;
    let sent = 0;
    const { c, m, p } = await setup([
      async (sock) => {
        await write(sock, `$${bad.length}\r\n`);
        for (; sent < bad.length && !sock.destroyed; sent += 50) {
          await write(sock, bad.subarray(sent, sent + 50));
          await new Promise((r) => setTimeout(r, 2));
        }
      },
      async () => undefined, // later attempts: nothing after +FULLRESYNC
    ]);
    await until('the replica to drop the link', async () => m.psyncs >= 2);
    expect(sent).toBeLessThan(bad.length);
    expect(p.output()).toMatch(/Failed trying to load the MASTER synchronization DB from disk/);
    expect(text(await c.call(['GET', 'old']))).toBe('kept');
    expect(text(await c.call(['DBSIZE']))).toBe('1');
  });

  it('a cluster replica adopts the decoded keys into its slot index (COUNTKEYSINSLOT, GETKEYSINSLOT)', async () => {
    const [mport, rport] = [BASE + 18, BASE + 19];
    const args = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000'];
    await startEngine(mport, { args });
    await startEngine(rport, { args });
    const m = await RespClient.connect(mport);
    const r = await RespClient.connect(rport);
    try {
      expect(text(await m.call(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']))).toBe('OK');
      expect(text(await m.call(['CLUSTER', 'MEET', '127.0.0.1', String(rport)]))).toBe('OK');
      const keys = Array.from({ length: 200 }, (_, i) => `{tag}:${i}`);
      for (const k of keys) await m.call(['SET', k, 'v']);
      await m.call(['SET', 'elsewhere', 'v']);
      const id = String(text(await m.call(['CLUSTER', 'MYID'])));
      await until('the nodes to meet', async () => String(text(await r.call(['CLUSTER', 'NODES']))).includes(id));
      expect(text(await r.call(['CLUSTER', 'REPLICATE', id]))).toBe('OK');
      await until('the sync', async () => (await replInfo(r)).includes('master_link_status:up'));
      const slot = String(keyStrHashSlot('{tag}:0'));
      expect(text(await r.call(['CLUSTER', 'COUNTKEYSINSLOT', slot]))).toBe('200');
      const listed = await r.call(['CLUSTER', 'GETKEYSINSLOT', slot, '1000']);
      expect(listed.t === 'array' && listed.v !== null ? listed.v.map((k) => String(text(k))).sort() : listed).toEqual([...keys].sort());
      expect(text(await r.call(['CLUSTER', 'COUNTKEYSINSLOT', String(keyStrHashSlot('elsewhere'))]))).toBe('1');
    } finally {
      m.close();
      r.close();
    }
  });
});
