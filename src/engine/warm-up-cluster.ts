// The cluster half of the start-up snapshot's warm-up (warm-up.ts): two throwaway cluster-enabled
// servers taken through what `kvctl up cluster` and `kvctl cluster reshard` ask of a node (slot
// assignment, a MEET handshake on the bus, gossip until each knows the other, a slot moved with
// SETSLOT IMPORTING/MIGRATING, GETKEYSINSLOT and MIGRATE, whose RESTORE-ASKING runs on the other),
// then shut down. Without it every node of a cluster compiled that code itself, on the clock of
// `up cluster` and of the first reshard round.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadServerConfig } from './config.js';
import { keyStrHashSlot } from './cluster/crc16.js';
import { closeTargetConns } from './cluster/target-conn.js';
import type { Server } from './server.js';
import { startServer } from './start.js';
import { freePorts, WarmClient } from './warm-up-client.js';

/** How long the two nodes get to learn each other over the bus (a few cron ticks of 100 ms here). */
const HANDSHAKE_MS = 10_000;

/** Keys moved by the warm-up's MIGRATE: one hash tag, so one slot. */
const KEYS = ['{warm}a', '{warm}b', '{warm}c'];

interface Node {
  srv: Server;
  client: WarmClient;
  id: string;
  port: number;
  busPort: number;
}

async function startNode(dir: string, port: number, busPort: number): Promise<Node> {
  mkdirSync(dir);
  const cfg = loadServerConfig(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--logfile', path.join(dir, 'log'), '--cluster-enabled', 'yes', '--cluster-port', String(busPort)]);
  const srv = await startServer(cfg, { embedded: true });
  try {
    const client = await WarmClient.connect(port);
    return { srv, client, id: String(await client.call('CLUSTER', 'MYID')), port, busPort };
  } catch (e) {
    await srv.shutdown(false);
    throw e;
  }
}

/** Polls until `done` holds; throws after HANDSHAKE_MS. */
async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HANDSHAKE_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`cluster warm-up: ${what} within ${HANDSHAKE_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether `from`'s CLUSTER NODES lists `to` by its id, past the handshake, with its link up. */
async function knows(from: Node, to: Node): Promise<boolean> {
  const line = String(await from.client.call('CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(to.id));
  return !!line && !line.includes('handshake') && line.includes(' connected');
}

/** Forms a two-node cluster and moves one slot's keys from its owner to the other node. */
async function exercise(a: Node, b: Node): Promise<void> {
  const slot = keyStrHashSlot(KEYS[0]);
  // The slot's owner is the source, as in a reshard; each node gets half of the slots.
  const [src, dst] = slot < 8192 ? [a, b] : [b, a];
  await a.client.call('CLUSTER', 'ADDSLOTSRANGE', 0, 8191);
  await b.client.call('CLUSTER', 'ADDSLOTSRANGE', 8192, 16383);
  await a.client.call('CLUSTER', 'SET-CONFIG-EPOCH', 1);
  await b.client.call('CLUSTER', 'SET-CONFIG-EPOCH', 2);
  await a.client.call('CLUSTER', 'MEET', '127.0.0.1', b.port, b.busPort);
  await waitFor('the nodes did not meet', async () => (await knows(a, b)) && (await knows(b, a)));
  await waitFor('cluster_state did not become ok', async () =>
    String(await a.client.call('CLUSTER', 'INFO')).includes('cluster_state:ok') && String(await b.client.call('CLUSTER', 'INFO')).includes('cluster_state:ok'));
  for (const k of KEYS) await src.client.call('SET', k, 'v');
  await dst.client.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', src.id);
  await src.client.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', dst.id);
  await src.client.call('CLUSTER', 'COUNTKEYSINSLOT', slot);
  const keys = (await src.client.call('CLUSTER', 'GETKEYSINSLOT', slot, 10)) as string[];
  await src.client.call('MIGRATE', '127.0.0.1', dst.port, '', 0, 5000, 'KEYS', ...keys.slice(1));
  await src.client.call('MIGRATE', '127.0.0.1', dst.port, keys[0], 0, 5000);
  await dst.client.call('CLUSTER', 'SETSLOT', slot, 'NODE', dst.id);
  await src.client.call('CLUSTER', 'SETSLOT', slot, 'NODE', dst.id);
  if (Number(await dst.client.call('CLUSTER', 'COUNTKEYSINSLOT', slot)) !== KEYS.length) throw new Error('cluster warm-up: MIGRATE did not move the keys');
  await dst.client.call('GET', KEYS[0]);
  await dst.client.call('CLUSTER', 'SHARDS');
}

/** Starts two cluster nodes in subfolders of dir, exercises them and shuts both down. */
export async function warmUpCluster(dir: string): Promise<void> {
  const [portA, busA, portB, busB] = await freePorts(4);
  const a = await startNode(path.join(dir, 'a'), portA, busA);
  let b: Node | undefined;
  try {
    b = await startNode(path.join(dir, 'b'), portB, busB);
    await exercise(a, b);
  } finally {
    for (const n of [a, b]) n?.client.close();
    await Promise.all([a, b].map((n) => n?.srv.shutdown(false)));
    // MIGRATE's cached connection to the other node is the process's, not a server's.
    closeTargetConns();
  }
}
