// The build's precompiled templates (scripts/precompile-templates.mjs -> dist/.../render/templates.cjs)
// render exactly what compiling templates/*.hbs renders, and with them `up` never loads the compiler.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledTopologies, loadTopology, parseTopology } from '../../src/orchestrator/topology/load.js';
import { nodePaths, renderNode } from '../../src/orchestrator/render/index.js';
import type { Topology } from '../../src/orchestrator/topology/types.js';
import { ROOT } from '../helpers/procs.js';

const DIST_RENDER = path.join(ROOT, 'dist', 'orchestrator', 'render', 'index.js');
const PRECOMPILED = path.join(ROOT, 'dist', 'orchestrator', 'render', 'templates.cjs');

describe('precompiled config templates', () => {
  it('hold the text of every template in templates/', () => {
    const built = createRequire(import.meta.url)(PRECOMPILED) as Record<string, { source: string }>;
    expect(Object.keys(built).sort()).toEqual(['redis.conf', 'sentinel.conf']);
    for (const [name, { source }] of Object.entries(built)) {
      expect(source).toBe(readFileSync(path.join(ROOT, 'templates', `${name}.hbs`), 'utf8'));
    }
  });

  it('render every node as the compiled templates do (src/ has no templates.cjs and compiles)', async () => {
    const dist = (await import(pathToFileURL(DIST_RENDER).href)) as { renderNode: typeof renderNode };
    const topologies: Topology[] = [
      ...bundledTopologies().map((name) => loadTopology(name)),
      parseTopology(`
name: everything
kind: sentinel
base-port: 16000
replicas: 1
auth: { requirepass: "s3cret pw", users: [{ name: app, password: "p w", rules: "~* +@all" }] }
persistence: aof-always
sentinel: { count: 3, quorum: 2, master-name: cache }
config: { maxmemory: 100mb, notify-keyspace-events: "" }
`),
    ];
    let nodes = 0;
    for (const t of topologies) {
      for (const n of t.nodes) {
        const p = nodePaths('/d', n);
        expect(dist.renderNode(t, n, p)).toBe(renderNode(t, n, p));
        nodes++;
      }
    }
    expect(nodes).toBeGreaterThan(20);
  });

  it('spare `up` the Handlebars compiler', () => {
    const script = `
      const { renderNode, nodePaths } = await import(${JSON.stringify(pathToFileURL(DIST_RENDER).href)});
      const { loadTopology } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'orchestrator', 'topology', 'load.js')).href)});
      const t = loadTopology('sentinel');
      const text = t.nodes.map((n) => renderNode(t, n, nodePaths('/d', n))).join('');
      const loaded = Object.keys((await import('node:module')).createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ chars: text.length, handlebars: loaded.filter((f) => f.includes('/handlebars/')).length, compiler: loaded.filter((f) => f.includes('/handlebars/compiler/')) }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as { chars: number; handlebars: number; compiler: string[] };
    expect(out.chars).toBeGreaterThan(1000);
    expect(out.handlebars).toBeGreaterThan(0); // the runtime was loaded (so the check below could see a compiler)
    expect(out.compiler).toEqual([]);
  });
});
