// An engine node started with KVCTL_ENGINE_TRACE_START=1, for the tests of how it started
// (engine-bundle, engine-lazy-chunks): its stderr holds the `kvctl engine: <how>` line.
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpDir, waitForPort } from './procs.js';

export interface TracedNode {
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/** `node <entry...> <args...> --port P --bind 127.0.0.1 --dir <fresh dir>`; resolves once the port listens. */
export async function startTraced(entry: string[], args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<TracedNode> {
  const dir = tmpDir('kvctl-traced-');
  const child = spawn(process.execPath, [...entry, ...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KVCTL_ENGINE_TRACE_START: '1', ...env },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await waitForPort(port);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return { child, stderr: () => err };
}
