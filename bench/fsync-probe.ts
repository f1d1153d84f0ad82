// appendfsync always SET at 1 and 8 clients (issue 20), engine against redis-server, in the durable
// row's interleaved rounds (fsyncRounds: every server up at once, short bursts in a rotating order),
// printing each server's medians (rps, the median of its per-round ratios to redis-server, and CPU µs
// per request at 1 client: steadier than rps on a busy box) and the rounds. `--before PATH/main.cjs`
// adds another engine build (a copy of dist/ from before a change) to the same rounds: an A/B of two
// builds next to redis-server.
// Run: npm run build && npx tsx bench/fsync-probe.ts [--rounds N] [--before M]
// Ports 19980-19982.
import { parseArgs } from 'node:util';
import { startEngine, stopAll } from '../test/helpers/procs.js';
import { FSYNC_SERVERS, fsyncRounds, type FsyncSubject } from './durable.js';
import { median } from './lib.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, before: { type: 'string' } } });
const before = values.before;
const subjects: FsyncSubject[] = [
  ...FSYNC_SERVERS,
  ...(before ? [{ name: 'before', start: (port: number, args: string[]) => startEngine(port, { args, main: before }) }] : []),
];

try {
  const res = await fsyncRounds(subjects, 19980, Number(values.rounds), false);
  const redis = res.get('redis')!;
  for (const [name, r] of res) {
    const c1 = median(r.c1);
    const c8 = median(r.c8);
    // Against redis-server: the median of the rounds' ratios (a round's bursts see one disk).
    const x1 = median(r.c1.map((v, i) => v / redis.c1[i]));
    const x8 = median(r.c8.map((v, i) => v / redis.c8[i]));
    console.log(`${name.padEnd(7)} -c 1 ${c1.toFixed(0).padStart(6)} rps (x${x1.toFixed(2)})  -c 8 ${c8.toFixed(0).padStart(6)} rps (x${x8.toFixed(2)})`);
    console.log(`        CPU per request at -c 1 ${median(r.cpu1).toFixed(1)} µs; rounds -c 1 ${r.c1.map(Math.round).join(' ')} | -c 8 ${r.c8.map(Math.round).join(' ')}`);
  }
} finally {
  await stopAll();
}
