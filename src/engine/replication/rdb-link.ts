// The persistence contract replication needs: a point-in-time RDB of every db (full sync, master
// side) and loading one (replica side). One place, so the sync code does not care where it lives.
import type { Server } from '../server.js';

export interface RdbApi {
  snapshotRdb(srv: Server): Promise<Buffer>;
  loadRdb(srv: Server, data: Buffer): void;
}

// Resolved at run time: persistence/rdb.ts is written in parallel (see docs/engine.md, Contracts).
const RDB_MODULE = '../persistence/rdb.js';
let api: Promise<RdbApi> | null = null;

/**
 * The loaded API. Callers that need a point in time (the master's full sync) await this first and
 * then call snapshotRdb synchronously, so no write slips between the offset and the snapshot.
 */
export function rdbApi(): Promise<RdbApi> {
  api ??= import(RDB_MODULE) as Promise<RdbApi>;
  return api;
}
