// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: argument checks in Redis 7.0's order and
// texts; the handover itself is replication/failover.ts.
import type { CommandDef } from './table.js';
import { is, parseInt64 } from './args.js';
import { SYNTAX } from './errors.js';
import { failoverOf } from '../replication/failover.js';
import { repl } from '../replication/state.js';

export const failoverCommands: CommandDef[] = [
  {
    name: 'failover',
    handler({ srv, reply, argv }) {
      const f = failoverOf(srv);
      if (!f) return reply.error('ERR FAILOVER is not available');
      if (srv.config.bool('cluster-enabled')) return reply.error('ERR FAILOVER not allowed in cluster mode.');
      if (argv.length === 2 && is(argv[1], 'abort')) {
        if (f.state === 'no-failover') return reply.error('ERR No failover in progress.');
        f.abort('Failover manually aborted');
        return reply.ok();
      }
      let host: string | null = null;
      let port = 0;
      let timeout = 0;
      let force = false;
      for (let j = 1; j < argv.length; j++) {
        const left = argv.length - j - 1;
        if (is(argv[j], 'to') && left >= 2 && host === null) {
          const p = parseInt64(argv[j + 2]);
          if (p === null) return reply.error('ERR value is not an integer or out of range');
          host = argv[j + 1].toString();
          port = Number(p);
          j += 2;
        } else if (is(argv[j], 'timeout') && left >= 1 && timeout === 0) {
          const t = parseInt64(argv[j + 1]);
          if (t === null) return reply.error('ERR value is not an integer or out of range');
          if (t <= 0n) return reply.error('ERR FAILOVER timeout must be greater than 0');
          timeout = Number(t);
          j++;
        } else if (is(argv[j], 'force') && !force) {
          force = true;
        } else {
          return reply.error(SYNTAX);
        }
      }
      const st = repl(srv);
      if (srv.isReplica) return reply.error('ERR FAILOVER is not valid when server is a replica.');
      if (st.replicas.length === 0) return reply.error('ERR FAILOVER requires connected replicas.');
      if (force && (!timeout || host === null)) return reply.error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
      if (f.state !== 'no-failover') return reply.error('ERR FAILOVER already in progress.');
      if (host !== null) {
        const r = st.replicas.find((x) => x.ip === host && x.port === port);
        if (!r) return reply.error('ERR FAILOVER target HOST and PORT is not a replica.');
        if (r.state !== 'online') return reply.error('ERR FAILOVER target replica is not online.');
      }
      f.start(host === null ? null : { host, port }, timeout, force);
      reply.ok();
    },
  },
];
