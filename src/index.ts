// kvctl's programmatic API, for test frameworks' global setup:
//
//   import { up } from 'kvctl';
//   const redis = await up({ topology: 'master-replica', basePort: 16100, engine: 'redis' });
//   process.env.REDIS_URL = `redis://${redis.masters[0]}`;
//   ...
//   await redis.stop({ purge: true });
//
// up() resolves once the topology is truly ready (replicas in sync, sentinels agreed, cluster ok) and
// leaves nothing running when it fails; the nodes are supervised (restarted on crash) until stop().
import { down as downAll, type DownOptions, type DownResult } from './orchestrator/down.js';
import type { NodeAuth } from './lib/auth.js';
import { kvctlHome } from './orchestrator/paths.js';
import { status as statusAll, type TopologyReport } from './orchestrator/status.js';

export { up } from './orchestrator/up.js';
export type { UpOptions, UpHandle, UpSummary, Endpoint } from './orchestrator/up.js';
export { loadTopology, parseTopology } from './orchestrator/topology/load.js';
export type { Topology, NodeSpec, Kind, EngineName } from './orchestrator/topology/types.js';
export { renderTopology } from './orchestrator/render/index.js';
// Fault injection (kvctl stop|start|restart|kill|pause|wait): NODE is a name, TOPOLOGY/NODE, master or master:SLOT.
export { stopNode, startNode, restartNode, killNode, pauseNode, waitNode } from './orchestrator/faults.js';
export type { FaultOptions, FaultResult, WaitResult, WaitRole } from './orchestrator/faults.js';
export type { DownResult, TopologyReport, NodeAuth };

/** Stops NAME (or every topology) under dir / $KVCTL_HOME / ./.kvctl. */
export function down(name?: string, opts: DownOptions & { dir?: string } = {}): Promise<DownResult[]> {
  return downAll(kvctlHome(opts.dir), name, opts);
}

/** What `kvctl status --json` reports. */
export function status(name?: string, opts: { dir?: string; auth?: NodeAuth } = {}): Promise<TopologyReport[]> {
  return statusAll(kvctlHome(opts.dir), name, opts.auth);
}
