// Gossip introduces nodes that never met: nodes 2 and 3 each MEET node 1 only, and must learn each
// other from node 1's PING/PONG gossip sections (one node named per message in a 3-node cluster,
// as Redis 7.0's clusterSendPing picks). That relies on the cluster cron pinging on its own after the
// handshakes: a node whose cron never ran (seen with a start-up snapshot whose warm-up ran cluster
// mode) stayed with the one exchange each MEET caused and, when that gossip happened not to name the
// other node, 2 and 3 never met. So each round also checks that every node keeps pinging.
// Nodes started from main.cjs and as kvctl up starts them (the start-up snapshot).
// Ports 14950-14955 (bus 24950-24955).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEngine, stopAll, type Proc } from '../helpers/procs.js';
import { call, clusterFlags, clusterInfo, waitFor } from './cluster-kit.js';

const ROUNDS = 4;
/** Node timeout 2000: the cron pings a node heard from longer than 1 s ago, so pings flow every ~1 s. */
const TIMEOUT_MS = 2000;

let procs: Proc[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop()));
});
afterAll(stopAll);

/** Node ids a node lists in CLUSTER NODES, past the handshake. */
async function known(port: number): Promise<string[]> {
  const text = String(await call(port, 'CLUSTER', 'NODES'));
  return text.trim().split('\n').filter((l) => !l.includes('handshake')).map((l) => l.split(' ')[0]!);
}

const pingsSent = async (port: number): Promise<number> => Number((await clusterInfo(port)).cluster_stats_messages_ping_sent ?? 0);

async function round(base: number, asUp: boolean): Promise<void> {
  procs = await Promise.all([0, 1, 2].map((i) => startEngine(base + i, { asUp, args: clusterFlags(TIMEOUT_MS) })));
  const [a, b, c] = procs.map((p) => p.port) as [number, number, number];
  const ids = await Promise.all([a, b, c].map(async (p) => String(await call(p, 'CLUSTER', 'MYID'))));
  await call(b, 'CLUSTER', 'MEET', '127.0.0.1', String(a));
  await call(c, 'CLUSTER', 'MEET', '127.0.0.1', String(a));
  await waitFor('nodes 2 and 3 to learn each other through node 1', async () => {
    const views = await Promise.all([a, b, c].map(known));
    return views.every((v) => ids.every((id) => v.includes(id)));
  }, 10_000);
  // The cron keeps pinging after the handshakes: every node sends pings of its own within ~2 s.
  const before = await Promise.all([a, b, c].map(pingsSent));
  await waitFor('every node to send cron pings', async () => {
    const now = await Promise.all([a, b, c].map(pingsSent));
    return now.every((n, i) => n > before[i]!);
  }, 5_000);
  const infos = await Promise.all([a, b, c].map(clusterInfo));
  expect(infos.map((i) => i.cluster_known_nodes)).toEqual(['3', '3', '3']);
}

describe('gossip introduces nodes met through a third one', () => {
  it(`main.cjs nodes: ${ROUNDS} fresh clusters`, async () => {
    for (let r = 0; r < ROUNDS; r++) await round(14950, false);
  }, 120_000);

  it(`nodes started as kvctl up starts them: ${ROUNDS} fresh clusters`, async () => {
    for (let r = 0; r < ROUNDS; r++) await round(14953, true);
  }, 120_000);
});
