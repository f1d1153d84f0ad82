// Test files run in parallel, each on its own block of ports (DESIGN.md). Two files that name the
// same base port collide only when vitest happens to run them at once, which shows up as a flaky
// failure far from its cause (durable-group-commit read another test's server). This finds a port
// constant declared by more than one file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
/** How test files name their ports: a top-level `const NAME = 1xxxx;`, or a `basePort: 1xxxx` option. */
const PORT_CONST = /^const [A-Z_][A-Z0-9_]* = (1\d{4});|\bbasePort: (1\d{4})\b/gm;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return testFiles(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });
}

describe('test port blocks', () => {
  it('no port constant is declared by two test files', () => {
    const owners = new Map<number, Set<string>>();
    for (const f of testFiles(ROOT)) {
      for (const m of readFileSync(f, 'utf8').matchAll(PORT_CONST)) {
        const port = Number(m[1] ?? m[2]);
        if (port < 10000 || port > 19999) continue;
        const set = owners.get(port) ?? new Set<string>();
        set.add(path.relative(ROOT, f));
        owners.set(port, set);
      }
    }
    expect(owners.size).toBeGreaterThan(20); // the scan found the files' ports at all
    const shared = [...owners].filter(([, files]) => files.size > 1).map(([port, files]) => `${port}: ${[...files].join(', ')}`);
    expect(shared).toEqual([]);
  });
});
