#!/usr/bin/env node
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// @oclif/core checks its own engines field with semver when it is imported, about 20-30 ms of CPU on
// every kvctl command (measured at load ~25); kvctl's package.json already requires Node >= 20.
const own = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
if (own) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
// The CLI in one file with V8's code cache (dist/cli.bundle.js, made by npm run build) while it is
// fresh, else oclif and the command's modules one by one (dist/lib/cli-bundle.cts says which and why).
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let main = null;
try {
  main = createRequire(import.meta.url)('../dist/lib/cli-bundle.cjs').loadCliBundle(root);
} catch {
  main = null; // no dist/lib/cli-bundle.cjs (a partial build): the modules still run
}
if (main) {
  if (own) delete process.env.OCLIF_DISABLE_ENGINE_WARNING; // not passed on to the nodes kvctl spawns
  await main(root, process.argv.slice(2));
} else {
  const { execute } = await import('@oclif/core');
  if (own) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
  await execute({ dir: import.meta.url });
}
