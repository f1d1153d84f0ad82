// MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP. USAGE sizes a key as redis-server's jemalloc
// would (store/memory-usage.ts); STATS reports Redis's fields from the engine's own accounting.
import type { CommandContext, CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { keyMemoryUsage } from '../store/memory-usage.js';
import { usedMemory, memoryMeter } from '../eviction/meter.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

/** used_memory of an empty redis-server, as the memory meter counts it. */
const STARTUP = 870_000;

function usage(ctx: CommandContext): void {
  const { argv, reply, db } = ctx;
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], 'samples') && j + 1 < argv.length) {
      const n = parseInt64(argv[++j]);
      if (n === null) return reply.error(NOT_INTEGER);
      if (n < 0n) return reply.error(SYNTAX);
      samples = Number(n);
    } else return reply.error(SYNTAX);
  }
  const key = keyStr(argv[1 + 1]);
  const v = db.getStored(key);
  if (v === undefined) return reply.null();
  reply.int(keyMemoryUsage(key, v, samples));
}

function stats(ctx: CommandContext): void {
  const { srv, reply } = ctx;
  const used = usedMemory();
  const peak = Math.max(used, memoryMeter.peak);
  const rss = process.memoryUsage().rss;
  const dbs = srv.dbs.filter((d) => d.size > 0);
  const keys = srv.dbs.reduce((a, d) => a + d.size, 0);
  const overheadDbs = dbs.reduce((a, d) => a + 8 * d.size + 8 * d.expiresCount, 0);
  const overhead = STARTUP + overheadDbs;
  const dataset = Math.max(0, used - overhead);
  const fields: [string, number][] = [
    ['peak.allocated', peak],
    ['total.allocated', used],
    ['startup.allocated', STARTUP],
    ['replication.backlog', 0],
    ['clients.slaves', 0],
    ['clients.normal', 0],
    ['cluster.links', 0],
    ['aof.buffer', 0],
    ['lua.caches', 0],
    ['functions.caches', 0],
  ];
  reply.map(fields.length + dbs.length + 17);
  for (const [k, v] of fields) {
    reply.bulk(k);
    reply.int(v);
  }
  for (const d of dbs) {
    reply.bulk(`db.${d.id}`);
    reply.map(3);
    reply.bulk('overhead.hashtable.main');
    reply.int(8 * d.size);
    reply.bulk('overhead.hashtable.expires');
    reply.int(8 * d.expiresCount);
    reply.bulk('overhead.hashtable.slot-to-keys');
    reply.int(0);
  }
  const int = (k: string, v: number) => {
    reply.bulk(k);
    reply.int(Math.round(v));
  };
  const dbl = (k: string, v: number) => {
    reply.bulk(k);
    reply.double(v);
  };
  int('overhead.total', overhead);
  int('keys.count', keys);
  int('keys.bytes-per-key', keys ? (used - STARTUP) / keys : 0);
  int('dataset.bytes', dataset);
  dbl('dataset.percentage', used > STARTUP ? (dataset * 100) / (used - STARTUP) : 0);
  dbl('peak.percentage', (used * 100) / peak);
  int('allocator.allocated', used);
  int('allocator.active', used);
  int('allocator.resident', rss);
  dbl('allocator-fragmentation.ratio', 1);
  int('allocator-fragmentation.bytes', 0);
  dbl('allocator-rss.ratio', rss / used);
  int('allocator-rss.bytes', rss - used);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', rss / used);
  int('fragmentation.bytes', rss - used);
}

export const memoryCommands: CommandDef[] = [
  { name: 'memory|usage', handler: usage },
  { name: 'memory|stats', handler: stats },
  {
    name: 'memory|doctor',
    handler({ reply }) {
      // Redis's own threshold: below 5 MB there is nothing to diagnose.
      if (usedMemory() < 5 * 1024 * 1024) {
        return reply.verbatim("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n");
      }
      reply.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
    },
  },
  { name: 'memory|malloc-stats', handler: ({ reply }) => reply.verbatim('Stats not supported for the current allocator') },
  { name: 'memory|purge', handler: ({ reply }) => reply.ok() },
  {
    name: 'memory|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const l of HELP) reply.simple(l);
    },
  },
];
