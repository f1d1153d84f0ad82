// `kvctl replication HOST:PORT`: INFO replication of any redis (or the engine) as a structured report.
import { connect, parseInfo, type AuthOpts } from '../admin/client.js';

export interface ReplicaLine {
  address: string;
  state: string;
  offset: number;
  /** Bytes the replica is behind the master's offset. */
  lagBytes: number;
  /** Seconds since the replica's last ACK, as the master reports it. */
  lagS: number;
}

export interface ReplicationReport {
  address: string;
  role: 'master' | 'replica';
  replid: string;
  offset: number;
  /** Replicas: where the master is and the link to it. */
  master?: { address: string; link: string; lastIoS?: number; syncInProgress: boolean };
  replicas: ReplicaLine[];
  backlog: { active: boolean; size: number; firstByteOffset: number; histlen: number };
  /** The raw INFO replication fields. */
  fields: Record<string, string>;
}

/** Parses `slave0:ip=127.0.0.1,port=7002,state=online,offset=490,lag=1`. */
export function parseReplicaLine(value: string, masterOffset: number): ReplicaLine {
  const kv = Object.fromEntries(value.split(',').map((p) => p.split('=', 2) as [string, string]));
  const offset = Number(kv.offset ?? 0);
  return {
    address: `${kv.ip}:${kv.port}`,
    state: kv.state ?? '?',
    offset,
    lagBytes: Math.max(0, masterOffset - offset),
    lagS: Number(kv.lag ?? 0),
  };
}

export function replicationFromInfo(address: string, fields: Record<string, string>): ReplicationReport {
  const isReplica = fields.role === 'slave';
  const offset = Number(isReplica ? (fields.slave_repl_offset ?? fields.master_repl_offset) : fields.master_repl_offset) || 0;
  const replicas = Object.keys(fields)
    .filter((k) => /^slave\d+$/.test(k))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((k) => parseReplicaLine(fields[k], Number(fields.master_repl_offset) || 0));
  return {
    address,
    role: isReplica ? 'replica' : 'master',
    replid: fields.master_replid ?? '',
    offset,
    master: isReplica
      ? {
          address: `${fields.master_host}:${fields.master_port}`,
          link: fields.master_link_status ?? '?',
          lastIoS: fields.master_last_io_seconds_ago !== undefined ? Number(fields.master_last_io_seconds_ago) : undefined,
          syncInProgress: fields.master_sync_in_progress === '1',
        }
      : undefined,
    replicas,
    backlog: {
      active: fields.repl_backlog_active === '1',
      size: Number(fields.repl_backlog_size ?? 0),
      firstByteOffset: Number(fields.repl_backlog_first_byte_offset ?? 0),
      histlen: Number(fields.repl_backlog_histlen ?? 0),
    },
    fields,
  };
}

export async function replicationReport(address: string, auth: AuthOpts = {}): Promise<ReplicationReport> {
  const c = await connect(address, auth);
  try {
    return replicationFromInfo(c.addr, parseInfo(String(await c.call('INFO', 'replication'))));
  } finally {
    c.close();
  }
}
