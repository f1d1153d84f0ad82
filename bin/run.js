#!/usr/bin/env node
// @oclif/core checks its own engines field with semver when it is imported, about 20-30 ms of CPU on
// every kvctl command (measured at load ~25); kvctl's package.json already requires Node >= 20.
const own = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
if (own) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
const { execute } = await import('@oclif/core');
if (own) delete process.env.OCLIF_DISABLE_ENGINE_WARNING; // not passed on to the nodes kvctl spawns

await execute({ dir: import.meta.url });
