// Writes oclif.manifest.json after the TypeScript build, with @oclif/core's own Plugin loader (no
// extra dependency). With a manifest, oclif starts a command without importing every command file
// (the engine, ioredis, listr2...), which is most of kvctl's start-up time. Regenerated on every
// build so it never hides a new command.
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'oclif.manifest.json');
rmSync(file, { force: true });
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync(file, JSON.stringify(plugin.manifest));
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`);
