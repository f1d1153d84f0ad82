// How bin/run.js starts the CLI (src/lib/cli-bundle.cts): from dist/cli.bundle.js with V8's code cache
// accepted, also in a copy of the package with new mtimes (as after npm pack + install), with the same
// output and exit codes as oclif loading the modules one by one; and never from a stale bundle (a dist
// module or the oclif manifest changed since the build, even at the same size). Ports 16900-16901.
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tmpDir, stopAll } from '../helpers/procs.js';
import { startTraced } from '../helpers/traced-node.js';
import { RespClient } from '../helpers/resp.js';

const run = promisify(execFile);
const PORT = 16900;

interface Outcome { code: number; stdout: string; stderr: string }

/** `node <root>/bin/run.js ...args` with the start trace on; never throws. */
async function kvctl(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const r = await run(process.execPath, [path.join(root, 'bin', 'run.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', KVCTL_CLI_TRACE_START: '1', ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

const TRACE = /^kvctl cli: .*\n/m;
const how = (o: Outcome) => TRACE.exec(o.stderr)?.[0].trim();
const withoutTrace = (o: Outcome) => ({ ...o, stderr: o.stderr.replace(TRACE, '') });

/** A copy of the package's shipped files in a fresh folder (new mtimes, same content), its node_modules linked. */
function copyPackage(): string {
  const root = tmpDir('kvctl-cli-pkg-');
  for (const f of ['bin', 'dist', 'templates', 'topologies', 'package.json', 'oclif.manifest.json']) {
    cpSync(path.join(ROOT, f), path.join(root, f), { recursive: true, filter: (src) => path.basename(src) !== 'snapshot' });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

describe('kvctl start-up (bin/run.js)', () => {
  afterAll(() => stopAll());

  it('runs from the bundle with the code cache accepted', async () => {
    const home = tmpDir('kvctl-cli-home-');
    const r = await kvctl(ROOT, ['status', '--json', '--dir', home]);
    expect(how(r)).toBe('kvctl cli: bundle, code cache accepted');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('answers as the modules do: help, topics, version, usage and user errors, a command', { timeout: 120_000 }, async () => {
    const out = tmpDir('kvctl-cli-render-');
    const cases = [
      ['--help'], [], ['up', '--help'], ['cluster'], ['cluster', 'create', '--help'], ['--version'],
      ['nosuch'], ['up'], ['up', 'cluster', '--engine', 'foo'], ['status', '--bogus'], ['up', 'no-such-topology', '--dir', out],
      ['pause', 'x'], ['cluster', 'check', '127.0.0.1:1'], ['render', 'cluster', '--out', path.join(out, 'conf')],
    ];
    for (const args of cases) {
      const [bundled, modules] = [await kvctl(ROOT, args), await kvctl(ROOT, args, { KVCTL_CLI_NO_BUNDLE: '1' })];
      expect(how(bundled), args.join(' ')).toBe('kvctl cli: bundle, code cache accepted');
      expect(how(modules), args.join(' ')).toBe('kvctl cli: modules (KVCTL_CLI_NO_BUNDLE=1)');
      expect(withoutTrace(bundled), args.join(' ')).toEqual(withoutTrace(modules));
    }
    // The contract's exit codes, for the record: usage errors 2, a failure 1, one line without a stack.
    expect((await kvctl(ROOT, ['up', 'cluster', '--engine', 'foo'])).code).toBe(2);
    const failed = await kvctl(ROOT, ['cluster', 'check', '127.0.0.1:1']);
    expect(failed.code).toBe(1);
    expect(withoutTrace(failed).stderr.trim().split('\n')).toHaveLength(1);
  });

  it('keeps using the bundle in a copy with new mtimes (an installed package)', async () => {
    const root = copyPackage();
    const r = await kvctl(root, ['status', '--json', '--dir', tmpDir('kvctl-cli-home-')]);
    expect(how(r)).toBe('kvctl cli: bundle, code cache accepted');
    expect(r.stdout.trim()).toBe('[]');
  });

  it('never uses a stale bundle: a changed module (same size, or not) or oclif manifest', async () => {
    const home = tmpDir('kvctl-cli-home-');
    // Same size, one character changed, mtime after the bundle's: only the CRC can tell.
    const root = copyPackage();
    const status = path.join(root, 'dist', 'commands', 'status.js');
    const text = readFileSync(status, 'utf8');
    const changed = text.replace('(start one with kvctl up)', '(start one with kvctl UP)');
    expect(changed.length).toBe(text.length);
    writeFileSync(status, changed);
    const later = new Date(Date.now() + 5000);
    utimesSync(status, later, later);
    const stale = await kvctl(root, ['status', '--dir', home]);
    expect(how(stale)).toBe('kvctl cli: modules (the bundle is stale)');
    expect(stale.stdout).toContain('(start one with kvctl UP)');

    const grown = copyPackage();
    writeFileSync(path.join(grown, 'oclif.manifest.json'), readFileSync(path.join(grown, 'oclif.manifest.json'), 'utf8') + '\n');
    const r = await kvctl(grown, ['status', '--json', '--dir', home]);
    expect(how(r)).toBe('kvctl cli: modules (the bundle is stale)');
    expect(r.code).toBe(0);

    // A bundle without its key (a build cut short) is not used either.
    const half = copyPackage();
    writeFileSync(path.join(half, 'dist', 'cli.bundle.json'), '');
    expect(how(await kvctl(half, ['status', '--json', '--dir', home]))).toMatch(/^kvctl cli: modules \(/);
  });

  it('runs kvctl server from the bundle: the engine is imported from its own modules', async () => {
    const node = await startTraced([path.join(ROOT, 'bin', 'run.js'), 'server'], ['--save', ''], PORT, { KVCTL_CLI_TRACE_START: '1' });
    try {
      const c = await RespClient.connect(PORT);
      try {
        expect(await c.call(['PING'])).toEqual({ t: 'simple', v: 'PONG' });
      } finally {
        c.close();
      }
      expect(node.stderr()).toContain('kvctl cli: bundle, code cache accepted');
    } finally {
      node.child.kill('SIGKILL');
    }
  });
});
