// ACL section: what the permission check costs. SET/GET one request per round trip (-c 50) as the
// default user (all permissions: the check is one property test) and as a user restricted to ~key:*
// (every key checked against the pattern), on the engine and on redis-server. Ports 19400-19401.
import { redisBenchmark, startPair, type BenchSection, type Row } from './lib.js';

const PORT = 19400;

export const aclSection: BenchSection = {
  name: 'acl',
  description: 'SET/GET throughput as the default user and as an ACL user with a key pattern',
  async run({ quick, log }) {
    const pair = await startPair(PORT, ['--user', 'bench', 'on', 'nopass', '~key:*', '+@all']);
    const rows: Row[] = [];
    try {
      const base = ['-t', 'set,get', '-r', '100000', '-c', '50', '-n', String(quick ? 10_000 : 100_000)];
      for (const [label, extra] of [['default user', []], ['user ~key:*', ['--user', 'bench', '-a', 'x']]] as const) {
        const args = [...base, ...extra];
        log(`redis-benchmark ${args.join(' ')}`);
        const redis = await redisBenchmark(pair.redis.port, args);
        const engine = await redisBenchmark(pair.engine.port, args);
        for (const [test, rps] of redis) rows.push({ metric: `${test} (${label})`, engine: engine.get(test) ?? 0, redis: rps, unit: 'req/s', higherIsBetter: true });
      }
    } finally {
      await pair.stop();
    }
    return rows;
  },
};
