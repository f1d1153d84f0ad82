// The engine's V8 flags (engine/v8-flags.cts) reach every node, and the V8 artefacts made under them
// are used: a node started the way kvctl up starts it (resolveEngine('builtin')'s launcher, with
// kvctl's child environment) runs from the start-up snapshot with the flags on its command line; the
// tests' startEngine runs the bundle with the flags and its code cache accepted; `node main.cjs` by
// hand (no flags) still gets the cache accepted. INFO server's kvctl_engine_start and
// kvctl_node_flags say so. Ports 16820-16829.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_NODE_FLAGS } from '../../src/engine/v8-flags.cjs';
import { childEnv, resolveEngine } from '../../src/orchestrator/engines.js';
import { ROOT, startEngine, stopAll, tmpDir, waitForPort } from '../helpers/procs.js';
import { RespClient } from '../helpers/resp.js';

const PORT = 16820;
const children: ChildProcess[] = [];

async function infoServer(port: number): Promise<Record<string, string>> {
  const c = await RespClient.connect(port);
  try {
    const r = (await c.call(['INFO', 'server'])) as { v: Buffer | string };
    const fields: Record<string, string> = {};
    for (const line of String(r.v).split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1);
    }
    return fields;
  } finally {
    c.close();
  }
}

async function spawnNode(args: string[], port: number): Promise<void> {
  const dir = tmpDir('kvctl-flags-');
  const child = spawn(process.execPath, [...args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore', env: childEnv() });
  children.push(child);
  await waitForPort(port);
}

describe('the engine runs with its V8 flags', () => {
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stopAll();
  });

  it('starts nodes as kvctl up does: from the start-up snapshot, with the flags', async () => {
    const server = resolveEngine('builtin').server; // what kvctl up starts each node with, before its conf
    expect(server.cmd).toBe(process.execPath);
    const entry = server.pre;
    expect(entry.slice(0, ENGINE_NODE_FLAGS.length)).toEqual([...ENGINE_NODE_FLAGS]);
    await spawnNode(entry, PORT);
    const info = await infoServer(PORT);
    expect(info.kvctl_engine_start).toBe('snapshot');
    for (const f of ENGINE_NODE_FLAGS) expect(info.kvctl_node_flags.split(' ')).toContain(f);
  });

  it("starts the tests' engine from the bundle, code cache accepted, with the flags", async () => {
    await startEngine(PORT + 1);
    const info = await infoServer(PORT + 1);
    expect(info.kvctl_engine_start).toBe('bundle');
    expect(info.kvctl_node_flags.split(' ')).toEqual([...ENGINE_NODE_FLAGS]);
  });

  it('keeps the code cache accepted when main.cjs is started by hand without the flags', async () => {
    await spawnNode([path.join(ROOT, 'dist', 'engine', 'main.cjs')], PORT + 2);
    const info = await infoServer(PORT + 2);
    expect(info.kvctl_engine_start).toBe('bundle');
    expect(info.kvctl_node_flags).toBe('');
  });
});
