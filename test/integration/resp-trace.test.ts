// KVCTL_RESP_TRACE: a process's RespConn commands land in PREFIX.<pid> at exit, each with its send and
// reply times, node and name (CLUSTER with its subcommand, SETSLOT with its slot and action), and never
// another argument: a password, a key or a value must not end up in a trace file. Port 14956.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, stopAll, tmpDir } from '../helpers/procs.js';

const PORT = 14956;
const RESP = pathToFileURL(path.resolve('dist', 'orchestrator', 'resp.js')).href;

describe('KVCTL_RESP_TRACE', () => {
  const dir = tmpDir('kvctl-trace-test-');
  beforeAll(async () => {
    await startEngine(PORT, { args: ['--requirepass', 'sekrit-pw', '--cluster-enabled', 'yes'] });
  });
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records each command with its times, node and name only', () => {
    const script = `
      const { RespConn } = await import(${JSON.stringify(RESP)});
      const c = await RespConn.connect('127.0.0.1', ${PORT}, { password: 'sekrit-pw' });
      await c.send(['ECHO', 'secret-value']);
      await c.send(['CLUSTER', 'KEYSLOT', 'secret-key']);
      await c.send(['CLUSTER', 'SETSLOT', 5, 'STABLE']);
      await c.send(['GET', 'secret-key']).catch(() => undefined);
      await c.send(['PING']);
      c.close();`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, KVCTL_RESP_TRACE: path.join(dir, 't') } });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const text = readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(text).not.toMatch(/sekrit|secret/);
    const lines = text.trim().split('\n').map((l) => l.split(' '));
    // The GET's error (no slot is served) is not a reply: not traced.
    const node = `127.0.0.1:${PORT}`;
    expect(lines.map((l) => l.slice(2).join(' '))).toEqual([`${node} AUTH`, `${node} ECHO`, `${node} CLUSTER KEYSLOT`, `${node} CLUSTER SETSLOT 5 STABLE`, `${node} PING`]);
    for (const [sent, done] of lines) expect(Number(done)).toBeGreaterThanOrEqual(Number(sent));
  });
});
