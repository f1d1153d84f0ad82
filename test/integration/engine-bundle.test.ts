// How the engine process starts (src/engine/main.cts): from the esbuild bundle with V8's code cache
// accepted, also in a copy of dist/engine with new mtimes (as after npm pack + install), and from the
// ES modules once a module's content no longer matches the bundle; and as kvctl up starts it
// (orchestrator/engines.ts builtinEntry): from the V8 start-up snapshot (engine/snapshot.cts) the
// build made, built in the background on an installed copy's first start, never from a stale one.
// Ports 16800-16809.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotBlob, snapshotState } from '../../src/engine/snapshot.cjs';
import { builtinEntry } from '../../src/orchestrator/engines.js';
import { ENGINE_NODE_FLAGS } from '../../src/engine/v8-flags.cjs';
import { ROOT, tmpDir, stopAll } from '../helpers/procs.js';
import { startTraced } from '../helpers/traced-node.js';
import { RespClient } from '../helpers/resp.js';

const PORT = 16800;
const children: ChildProcess[] = [];

/** Starts `node <root>/dist/engine/main.cjs` with start tracing; resolves with its stderr once PING answers. */
function start(root: string, port: number, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return startWith([path.join(root, 'dist', 'engine', 'main.cjs')], port, env);
}

/** Starts `node <entry...>` with start tracing; resolves with its stderr once PING answers. */
async function startWith(entry: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const node = await startTraced(entry, ['--save', ''], port, env);
  children.push(node.child);
  const c = await RespClient.connect(port);
  try {
    expect(await c.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
  } finally {
    c.close();
  }
  return node.stderr();
}

/** A copy of the built engine in a fresh folder: every file gets a new mtime, the content stays. */
function copyEngine(withSnapshot = true): string {
  const root = tmpDir('kvctl-pkg-');
  const filter = (src: string) => withSnapshot || path.basename(src) !== 'snapshot';
  cpSync(path.join(ROOT, 'dist', 'engine'), path.join(root, 'dist', 'engine'), { recursive: true, filter });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  return root;
}

describe('engine start-up', () => {
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stopAll();
  });

  it('starts from the bundle with the code cache accepted', async () => {
    expect(await start(ROOT, PORT)).toContain('kvctl engine: bundle, code cache accepted');
  });

  it('keeps using the bundle in a copy with new mtimes (an installed package)', async () => {
    expect(await start(copyEngine(), PORT + 1)).toContain('kvctl engine: bundle, code cache accepted');
  });

  it('loads the ES modules when a module no longer matches the bundle', async () => {
    const root = copyEngine();
    appendFileSync(path.join(root, 'dist', 'engine', 'version.js'), '\n// rebuilt by tsc alone\n');
    expect(await start(root, PORT + 2)).toContain('kvctl engine: ES modules (the bundle is stale)');
  });

  it('keeps using the bundle when a later build rewrote a module with the same content', async () => {
    const root = copyEngine();
    const file = path.join(root, 'dist', 'engine', 'version.js');
    writeFileSync(file, readFileSync(file));
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later); // newer than the bundle: its content is read and compared
    expect(await start(root, PORT + 4)).toContain('kvctl engine: bundle, code cache accepted');
  });

  it('loads the ES modules when a module changed without changing its size', async () => {
    const root = copyEngine();
    const file = path.join(root, 'dist', 'engine', 'version.js');
    const text = readFileSync(file, 'latin1');
    const i = text.search(/\d/); // a version digit: same length, other content
    writeFileSync(file, text.slice(0, i) + (text[i] === '9' ? '8' : '9') + text.slice(i + 1), 'latin1');
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
    expect(await start(root, PORT + 5)).toContain('kvctl engine: ES modules (the bundle is stale)');
  });

  it('loads the ES modules when told to', async () => {
    expect(await start(ROOT, PORT + 3, { KVCTL_ENGINE_NO_BUNDLE: '1' })).toContain('kvctl engine: ES modules (KVCTL_ENGINE_NO_BUNDLE=1)');
  });

  it('kvctl up starts nodes from the start-up snapshot the build made', async () => {
    const engineDir = path.join(ROOT, 'dist', 'engine');
    expect(snapshotState(engineDir)).toEqual({ state: 'fresh', blob: snapshotBlob(engineDir) });
    const entry = builtinEntry(engineDir, {});
    expect(entry).toEqual([...ENGINE_NODE_FLAGS, '--snapshot-blob', snapshotBlob(engineDir), '--']);
    const err = await startWith(entry, PORT + 6);
    expect(err).toContain('kvctl engine: snapshot');
    expect(err).toMatch(/kvctl engine: ready [\d.]+ ms after the process started/);
    expect(builtinEntry(engineDir, { NODE_OPTIONS: '--max-old-space-size=100' })).toEqual([...ENGINE_NODE_FLAGS, path.join(engineDir, 'main.cjs')]);
    expect(builtinEntry(engineDir, { KVCTL_ENGINE_NO_BUNDLE: '1' })).toEqual([...ENGINE_NODE_FLAGS, path.join(engineDir, 'main.cjs')]);
  });

  it('a node started from the snapshot fires its timers after clients leave', async () => {
    const engineDir = path.join(ROOT, 'dist', 'engine');
    await startWith(builtinEntry(engineDir, {}), PORT + 8);
    // A client leaving arms the memory hygiene's timer; timers must fire after it as before it.
    for (let i = 0; i < 2; i++) {
      const c = await RespClient.connect(PORT + 8);
      try {
        const t0 = Date.now();
        expect(await c.call(['XREAD', 'BLOCK', '100', 'STREAMS', 's', '$'])).toEqual({ t: 'array', v: null });
        expect(Date.now() - t0).toBeLessThan(3000);
      } finally {
        c.close();
      }
    }
  });

  it('an installed copy starts from main.cjs until its first start has built its snapshot', async () => {
    const engineDir = path.join(copyEngine(false), 'dist', 'engine');
    expect(snapshotState(engineDir).state).toBe('stale');
    expect(builtinEntry(engineDir, {})).toEqual([...ENGINE_NODE_FLAGS, path.join(engineDir, 'main.cjs')]); // and starts the build
    const deadline = Date.now() + 90_000;
    while (snapshotState(engineDir).state !== 'fresh' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const entry = builtinEntry(engineDir, {});
    expect(entry).toEqual([...ENGINE_NODE_FLAGS, '--snapshot-blob', snapshotBlob(engineDir), '--']);
    expect(await startWith(entry, PORT + 7)).toContain('kvctl engine: snapshot');
  }, 120_000);

  it('never uses a snapshot made from another bundle, nor one of a bundle that no longer matches', () => {
    const engineDir = path.join(copyEngine(), 'dist', 'engine');
    const key = snapshotBlob(engineDir).replace(/\.blob$/, '.json');
    const [size, crc] = (JSON.parse(readFileSync(key, 'utf8')) as { bundle: [number, number] }).bundle;
    writeFileSync(key, JSON.stringify({ bundle: [size + 1, crc] }));
    expect(snapshotState(engineDir).state).toBe('stale');
    const other = path.join(copyEngine(), 'dist', 'engine');
    appendFileSync(path.join(other, 'version.js'), '\n// rebuilt by tsc alone\n');
    expect(snapshotState(other).state).toBe('no-bundle');
    expect(builtinEntry(other, {})).toEqual([...ENGINE_NODE_FLAGS, path.join(other, 'main.cjs')]);
  });
});
