// The Node/V8 flags every engine process runs with, in one place. Whatever launches a node (kvctl up's
// builtinEntry, the tests' startEngine, the benchmarks) puts them on the command line, and whatever
// builds a V8 artefact of the engine (the bundle's code cache in scripts/bundle-engine.mjs, the start-up
// snapshot in snapshot.cts) builds it under them: they change V8's flag hash, and V8 refuses a code
// cache or a snapshot made under another hash ("built with different V8 configurations").
// CommonJS (.cts): main.cts, snapshot.cts and the build script require it.
import v8 from 'node:v8';

/**
 * --max-semi-space-size=4: a 4 MB young generation instead of V8's default (up to 16 MB per
 * semi-space on 64-bit). Throughput-neutral for SET/GET plain and -P 16, and 20-30 MB less RSS after
 * load (issue 16's memory goal; measured by bench/cpu-per-request.ts). It only takes effect on the
 * command line: set at run time, V8 does not shrink the young generation it already has.
 *
 * --no-regexp-tier-up: a regexp is compiled to machine code on its first run instead of being
 * interpreted until it is hot; start-up runs its regexps (config parsing) once each. From the
 * snapshot to the first PONG: 1.3% fewer instructions and ~240 fewer page faults (3.5%).
 *
 * --ticks-before-optimization=12 --max-bytecode-size-for-early-opt=0: TurboFan waits for 12 profiler
 * ticks (V8: 3, and a function under 81 bytecodes on its first tick). A node's traffic changes shape
 * (a reshard's SETSLOT/MIGRATE/RESTORE after a SET load): V8's defaults then optimise ~170 newly warm
 * or deoptimised functions across 3 nodes within the second, on background threads that take the
 * 2 cores the nodes, the CLI and the clients share. Waiting longer leaves ~50 of them; functions hot
 * for good are still optimised, a few thousand calls later. Sparkplug's timing is unchanged.
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--no-regexp-tier-up', '--ticks-before-optimization=12', '--max-bytecode-size-for-early-opt=0'];

/**
 * Sets the engine's flags at run time when this process was started without them (`node main.cjs`
 * by hand, the build script): that does not resize the heap, but gives V8 the flag hash the engine's
 * code cache was made under, so the cache is still accepted.
 */
export function matchEngineFlagHash(): void {
  for (const f of ENGINE_NODE_FLAGS) if (!process.execArgv.includes(f)) v8.setFlagsFromString(f);
}
