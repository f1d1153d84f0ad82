// Build step (before tsc): removes dist/ and the oclif manifest, so a build holds only what today's
// sources produce (a deleted command or module must not linger in dist/ or in the manifest).
import { rmSync } from 'node:fs';

for (const p of ['dist', 'oclif.manifest.json']) rmSync(p, { recursive: true, force: true });
