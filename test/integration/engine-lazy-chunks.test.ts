// Subsystems the engine's bundle and start-up snapshot leave out and load on first use
// (scripts/lazy-chunks.mjs: Sentinel and COMMAND DOCS' texts, as dist/engine/chunks/*.cjs), and the
// subsystems on the same first-use path (the Lua VM, streams, geo): their first command answers as
// before, in a node started from the snapshot (the checkout's, and one in a copy of dist/engine with
// new mtimes and its own node_modules, as installed), from main.cjs's bundle and from the ES modules.
// Ports 16860-16869.
import type { ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinEntry } from '../../src/orchestrator/engines.js';
import { ENGINE_NODE_FLAGS } from '../../src/engine/v8-flags.cjs';
import { ROOT, tmpDir, stopAll } from '../helpers/procs.js';
import { startTraced } from '../helpers/traced-node.js';
import { RespClient, type Reply } from '../helpers/resp.js';

const PORT = 16860;
const children: ChildProcess[] = [];

/** Starts a traced node; returns a reader of its stderr once it listens. */
async function startNode(entry: string[], args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<() => string> {
  const node = await startTraced(entry, args, port, env);
  children.push(node.child);
  return node.stderr;
}

async function calls(port: number, cmds: string[][]): Promise<Reply[]> {
  const c = await RespClient.connect(port);
  try {
    const out: Reply[] = [];
    for (const cmd of cmds) out.push(await c.call(cmd));
    return out;
  } finally {
    c.close();
  }
}

/** The summary field of a COMMAND DOCS reply for one command (RESP2: [name, [field, value, ...]]). */
function docsSummary(r: Reply): string | undefined {
  if (r.t !== 'array' || !r.v || r.v.length !== 2) return undefined;
  const fields = r.v[1];
  if (fields.t !== 'array' || !fields.v) return undefined;
  const i = fields.v.findIndex((f) => f.t === 'bulk' && f.v === 'summary');
  const v = fields.v[i + 1];
  return i >= 0 && v.t === 'bulk' ? (v.v ?? undefined) : undefined;
}

/** First use of scripting, streams, geo and COMMAND DOCS on a fresh data node. */
async function expectDataSubsystems(entry: string[], port: number, how: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const err = await startNode(entry, ['--save', '', '--appendonly', 'no'], port, env);
  const [evalReply, get, xadd, geoadd, geopos, docs] = await calls(port, [
    ['EVAL', "return redis.call('SET', KEYS[1], ARGV[1])", '1', 'k', 'v'],
    ['GET', 'k'],
    ['XADD', 's', '1-1', 'f', 'v'],
    ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
    ['GEODIST', 'g', 'Palermo', 'Palermo'],
    ['COMMAND', 'DOCS', 'get'],
  ]);
  expect(err()).toContain(`kvctl engine: ${how}`);
  expect(evalReply).toEqual({ t: 'simple', v: 'OK' });
  expect(get).toEqual({ t: 'bulk', v: 'v' });
  expect(xadd).toEqual({ t: 'bulk', v: '1-1' });
  expect(geoadd).toEqual({ t: 'int', v: '1' });
  expect(geopos).toEqual({ t: 'bulk', v: '0.0000' });
  expect(docsSummary(docs)).toBe('Get the value of a key');
}

/** First use of a --sentinel node: its SENTINEL command answers from the monitored master's config. */
async function expectSentinel(entry: string[], port: number, how: string): Promise<void> {
  const conf = path.join(tmpDir('kvctl-lazy-sentinel-'), 'sentinel.conf');
  writeFileSync(conf, `sentinel monitor mymaster 127.0.0.1 ${PORT + 9} 2\n`);
  const err = await startNode([...entry, conf, '--sentinel'], [], port);
  const [addr, info] = await calls(port, [['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'], ['INFO', 'server']]);
  expect(err()).toContain(`kvctl engine: ${how}`);
  expect(addr).toEqual({ t: 'array', v: [{ t: 'bulk', v: '127.0.0.1' }, { t: 'bulk', v: String(PORT + 9) }] });
  expect(info.t === 'bulk' ? info.v : '').toContain('redis_mode:sentinel');
}

/** A copy of the built engine with new mtimes, its snapshot and the checkout's node_modules beside it. */
function installedCopy(): string {
  const root = tmpDir('kvctl-lazy-pkg-');
  cpSync(path.join(ROOT, 'dist', 'engine'), path.join(root, 'dist', 'engine'), { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return path.join(root, 'dist', 'engine');
}

describe('subsystems loaded on first use', () => {
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stopAll();
  });

  it('the bundle leaves Sentinel and the COMMAND DOCS texts to chunks', () => {
    expect(readdirSync(path.join(ROOT, 'dist', 'engine', 'chunks')).sort()).toEqual(['command-docs.cjs', 'sentinel.cjs']);
  });

  it('a node started from the snapshot answers EVAL, XADD, GEOADD and COMMAND DOCS on first use', async () => {
    const entry = builtinEntry(path.join(ROOT, 'dist', 'engine'), {});
    expect(entry).toContain('--snapshot-blob');
    await expectDataSubsystems(entry, PORT, 'snapshot');
  });

  it('a Sentinel started from the snapshot answers SENTINEL', async () => {
    await expectSentinel(builtinEntry(path.join(ROOT, 'dist', 'engine'), {}), PORT + 1, 'snapshot');
  });

  it('an installed copy started from its snapshot loads its own chunks', async () => {
    const engineDir = installedCopy();
    const entry = builtinEntry(engineDir, {});
    expect(entry).toContain('--snapshot-blob');
    expect(entry.join(' ')).toContain(engineDir);
    await expectDataSubsystems(entry, PORT + 2, 'snapshot');
    await expectSentinel(entry, PORT + 3, 'snapshot');
  });

  it('main.cjs from the bundle and from the ES modules answers them as well', async () => {
    const main = [...ENGINE_NODE_FLAGS, path.join(ROOT, 'dist', 'engine', 'main.cjs')];
    await expectDataSubsystems(main, PORT + 4, 'bundle, code cache accepted');
    await expectSentinel(main, PORT + 5, 'bundle, code cache accepted');
    await expectDataSubsystems(main, PORT + 6, 'ES modules', { KVCTL_ENGINE_NO_BUNDLE: '1' });
  });

  it('a missing chunk makes main.cjs use the ES modules, which still answer', async () => {
    const engineDir = installedCopy();
    rmSync(path.join(engineDir, 'chunks', 'command-docs.cjs'));
    await expectDataSubsystems([...ENGINE_NODE_FLAGS, path.join(engineDir, 'main.cjs')], PORT + 7, 'ES modules (the bundle is stale)');
  });
});
