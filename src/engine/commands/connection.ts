// Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET.
import type { CommandDef, CommandContext } from './table.js';
import { cString, is, parseInt32, parseIntArg } from './args.js';
import { aclOf } from '../acl/registry.js';

/** Logs the client in as the user (ACL); false (and an ACL LOG entry) on a wrong pair or a disabled user. */
function authenticate(ctx: CommandContext, user: Buffer, pass: Buffer): boolean {
  return aclOf(ctx.srv).authenticate(ctx.client, user.latin1Slice(0, user.length), pass, ctx.argv[0].latin1Slice(0, ctx.argv[0].length));
}

const AUTH_FAILED = 'WRONGPASS invalid username-password pair or user is disabled.';

export const connectionCommands: CommandDef[] = [
  {
    name: 'ping',
    handler({ client: c, reply, argv }) {
      if (argv.length > 2) return reply.error("ERR wrong number of arguments for 'ping' command");
      if (c.inPubSubContext) {
        reply.array(2);
        reply.bulk('pong');
        reply.bulk(argv.length === 2 ? argv[1] : Buffer.alloc(0));
        return;
      }
      if (argv.length === 2) reply.bulk(argv[1]);
      else reply.simple('PONG');
    },
    // Dispatch runs it only outside the pub/sub context.
    lazy(ctx, args) {
      if (args.count !== 1) return false;
      ctx.reply.simple('PONG');
      return true;
    },
  },
  { name: 'echo', handler: ({ reply, argv }) => reply.bulk(argv[1]) },
  {
    name: 'select',
    handler({ srv, client: c, reply, argv }) {
      const id = parseInt32(argv[1]);
      if (typeof id === 'string') return reply.error(id);
      if (srv.config.bool('cluster-enabled') && id !== 0) return reply.error('ERR SELECT is not allowed in cluster mode');
      if (id < 0 || id >= srv.dbs.length) return reply.error('ERR DB index is out of range');
      c.dbIndex = id;
      c.db = srv.dbs[id];
      reply.ok();
    },
  },
  {
    name: 'auth',
    handler(ctx) {
      const { srv, reply, argv } = ctx;
      if (argv.length > 3) return reply.error('ERR syntax error');
      if (argv.length === 2 && aclOf(srv).defaultUser.nopass) {
        return reply.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      }
      const user = argv.length === 3 ? argv[1] : Buffer.from('default');
      if (authenticate(ctx, user, argv[argv.length - 1])) return reply.ok();
      reply.error(AUTH_FAILED);
    },
  },
  {
    name: 'hello',
    handler(ctx) {
      const { srv, client: c, reply, argv } = ctx;
      let i = 1;
      let proto = c.reply.resp as number;
      if (argv.length > 1) {
        const v = parseIntArg(argv[1]);
        if (v === null) return reply.error('ERR Protocol version is not an integer or out of range');
        if (v < 2 || v > 3) return reply.error('NOPROTO unsupported protocol version');
        proto = v;
        i = 2;
      }
      // Each option takes effect as it is read, as in Redis 7.0: an AUTH that succeeded or a name set
      // before a later option's error stays.
      for (; i < argv.length; i++) {
        const more = argv.length - i - 1;
        if (is(argv[i], 'auth') && more >= 2) {
          if (!authenticate(ctx, argv[i + 1], argv[i + 2])) return reply.error(AUTH_FAILED);
          i += 2;
        } else if (is(argv[i], 'setname') && more >= 1) {
          const name = argv[i + 1].toString();
          if (/[\s]/.test(name) || /[^\x21-\x7e]/.test(name)) return reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
          c.name = name;
          i += 1;
        } else {
          return reply.error(`ERR Syntax error in HELLO option '${cString(argv[i])}'`);
        }
      }
      if (!c.authenticated) return reply.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
      c.reply.resp = proto as 2 | 3;
      reply.map(7);
      reply.bulk('server');
      reply.bulk('redis');
      reply.bulk('version');
      reply.bulk(srv.version);
      reply.bulk('proto');
      reply.int(proto);
      reply.bulk('id');
      reply.int(c.id);
      reply.bulk('mode');
      reply.bulk(srv.config.bool('cluster-enabled') ? 'cluster' : srv.config.sentinelMode ? 'sentinel' : 'standalone');
      reply.bulk('role');
      reply.bulk(srv.isReplica ? 'replica' : 'master');
      reply.bulk('modules');
      reply.array(0);
    },
  },
  {
    name: 'quit',
    handler({ client: c, reply }) {
      reply.ok();
      c.closeAfterReply = true;
    },
  },
  {
    name: 'reset',
    handler({ srv, client: c, reply }) {
      srv.resetClient(c);
      reply.simple('RESET');
    },
  },
];
