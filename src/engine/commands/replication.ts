// Replication commands: REPLICAOF / SLAVEOF, ROLE, REPLCONF, PSYNC, SYNC, WAIT. The logic lives in
// replication/; these parse arguments and answer as Redis 7.0 does.
import type { CommandContext, CommandDef } from './table.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';
import { clientInfoLine } from './client.js';
import { promote, repl, replicaOf, replication } from '../replication/index.js';
import { replConfOf } from '../replication/master.js';
import { ACK_EACH_READ_CAPA } from '../replication/state.js';

function replicaofCommand(ctx: CommandContext): void {
  const { srv, client: c, argv, reply } = ctx;
  if (srv.config.bool('cluster-enabled')) return reply.error('ERR REPLICAOF not allowed in cluster mode.');
  const who = clientInfoLine(srv, c, c, ctx.cmd.fullName);
  if (is(argv[1], 'no') && is(argv[2], 'one')) {
    promote(srv, who);
    return reply.ok();
  }
  if (c.isReplica) return reply.error('ERR Command is not valid when client is a replica.');
  const port = parseInt64(argv[2]);
  if (port === null || port < 0n || port > 65535n) return reply.error('ERR Invalid master port');
  if (!replicaOf(srv, argv[1].toString(), Number(port), who)) return reply.simple('OK Already connected to specified master');
  reply.ok();
}

const ROLE_STATES = { connect: 'connect', connecting: 'connecting', handshake: 'handshake', transfer: 'sync', connected: 'connected' } as const;

function roleCommand({ srv, reply }: CommandContext): void {
  const { st } = replication(srv);
  const link = st.master;
  if (link) {
    reply.array(5);
    reply.bulk('slave');
    reply.bulk(link.host);
    reply.int(link.port);
    reply.bulk(ROLE_STATES[link.state]);
    reply.int(link.state === 'connected' ? link.reploff : -1);
    return;
  }
  const online = st.replicas.filter((r) => r.state === 'online');
  reply.array(3);
  reply.bulk('master');
  reply.int(st.offset);
  reply.array(online.length);
  for (const r of online) reply.bulkArray([r.ip, String(r.port), String(r.ackOffset)]);
}

function replconfCommand({ srv, client: c, argv, reply }: CommandContext): void {
  if (argv.length % 2 === 0) return reply.error(SYNTAX);
  const rc = replConfOf(c);
  for (let j = 1; j < argv.length; j += 2) {
    const opt = argv[j].toString().toLowerCase();
    const val = argv[j + 1];
    if (opt === 'listening-port') {
      const port = parseInt64(val);
      if (port === null) return reply.error(NOT_INTEGER);
      rc.port = Number(port);
    } else if (opt === 'ip-address') {
      if (val.length >= 256) return reply.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
      rc.ip = val.toString();
    } else if (opt === 'capa') {
      if (is(val, 'eof')) rc.capaEof = true;
      else if (is(val, 'psync2')) rc.capaPsync2 = true;
      else if (is(val, ACK_EACH_READ_CAPA)) rc.capaAckEachRead = true;
    } else if (opt === 'ack') {
      // Sent by replicas on the stream: never answered.
      const off = parseInt64(val);
      if (off !== null && c.isReplica) replication(srv).master.ack(c, Number(off));
      return;
    } else if (opt === 'getack') {
      // From our master: answer with our offset (the reply itself is the ACK, outside the muted client),
      // even to a pre-PSYNC master that gets no periodic ACKs (as Redis's replconfCommand).
      if (c.isMaster) replication(srv).st.master?.sendAck(true);
      return;
    } else if (opt === 'rdb-only') {
      const v = parseInt64(val);
      if (v === null || (v !== 0n && v !== 1n)) return reply.error(NOT_INTEGER);
    } else {
      return reply.error(`ERR Unrecognized REPLCONF option: ${argv[j].toString('latin1')}`);
    }
  }
  reply.ok();
}

function psyncCommand({ srv, client: c, argv, reply }: CommandContext): void {
  if (c.isMaster) return;
  const off = parseInt64(argv[2]);
  if (off === null) return reply.error(NOT_INTEGER);
  // PSYNC replid offset FAILOVER: our master hands over to us (its FAILOVER command) and follows us.
  if (argv.length > 3 && is(argv[3], 'failover')) {
    if (argv[1].toString() !== repl(srv).replid) return reply.error('ERR PSYNC FAILOVER replid must match my replid.');
    promote(srv, `failover request from ${c.addr}`);
  }
  replication(srv).master.sync(c, argv[1].toString(), Number(off));
}

export const replicationCommands: CommandDef[] = [
  { name: 'replicaof', handler: replicaofCommand },
  { name: 'slaveof', handler: replicaofCommand },
  { name: 'role', handler: roleCommand },
  { name: 'replconf', handler: replconfCommand },
  { name: 'psync', handler: psyncCommand },
  { name: 'sync', handler: ({ srv, client: c }) => (c.isMaster ? undefined : replication(srv).master.sync(c, null, -1)) },
  { name: 'wait', handler: (ctx) => replication(ctx.srv).waits.command(ctx) },
];
