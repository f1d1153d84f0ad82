// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE, BGREWRITEAOF, DUMP, RESTORE.
import { stampRestored } from '../eviction/idle-stamps.js';
import type { CommandDef } from './table.js';
import { keyStr } from '../store/types.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER, SYNTAX } from './errors.js';
import { saveSync } from '../persistence/rdb-file.js';
import { childActive, persistState } from '../persistence/state.js';
import { aofFor, requestBgsave } from '../persistence/module.js';
import { dumpValue, verifyPayload } from '../persistence/dump.js';
import { RdbReader } from '../persistence/rdb-reader.js';
import { encodeOptions } from '../persistence/rdb.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';

export const persistenceCommands: CommandDef[] = [
  {
    name: 'save',
    handler(ctx) {
      ctx.propagate = [];
      if (persistState(ctx.srv).bgsave) return ctx.reply.error('ERR Background save already in progress');
      try {
        saveSync(ctx.srv);
      } catch {
        return ctx.reply.error('ERR');
      }
      ctx.reply.ok();
    },
  },
  {
    name: 'bgsave',
    handler({ srv, reply, argv }) {
      const schedule = argv.length === 2 && is(argv[1], 'schedule');
      if (argv.length > 2 || (argv.length === 2 && !schedule)) return reply.error(SYNTAX);
      if (persistState(srv).bgsave) return reply.error('ERR Background save already in progress');
      if (childActive(srv) && !schedule) {
        return reply.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
      }
      reply.simple(requestBgsave(srv) === 'started' ? 'Background saving started' : 'Background saving scheduled');
    },
  },
  { name: 'lastsave', handler: ({ srv, reply }) => reply.int(persistState(srv).lastSave) },
  {
    name: 'bgrewriteaof',
    handler({ srv, reply }) {
      const aof = aofFor(srv);
      if (aof.rewriting) return reply.error('ERR Background append only file rewriting already in progress');
      if (childActive(srv)) {
        aof.rewriteScheduled = true;
        return reply.simple('Background append only file rewriting scheduled');
      }
      aof.startRewrite();
      reply.simple('Background append only file rewriting started');
    },
  },
  {
    name: 'dump',
    handler({ srv, db, reply, argv }) {
      const v = db.get(keyStr(argv[1]));
      reply.bulk(v === undefined ? null : dumpValue(v, encodeOptions(srv)));
    },
  },
  {
    name: 'restore',
    handler(ctx) {
      const { srv, db, reply, argv } = ctx;
      let replace = false;
      let absttl = false;
      let idle = -1n;
      let freq = -1n;
      for (let j = 4; j < argv.length; j++) {
        const more = argv.length - j - 1;
        if (is(argv[j], 'replace')) replace = true;
        else if (is(argv[j], 'absttl')) absttl = true;
        else if (is(argv[j], 'idletime') && more >= 1 && freq === -1n) {
          const n = parseInt64(argv[++j]);
          if (n === null) return reply.error(NOT_INTEGER);
          if (n < 0n) return reply.error('ERR Invalid IDLETIME value, must be >= 0');
          idle = n;
        } else if (is(argv[j], 'freq') && more >= 1 && idle === -1n) {
          const n = parseInt64(argv[++j]);
          if (n === null) return reply.error(NOT_INTEGER);
          if (n < 0n || n > 255n) return reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
          freq = n;
        } else return reply.error(SYNTAX);
      }
      const key = keyStr(argv[1]);
      if (!replace && db.get(key) !== undefined) return reply.error('BUSYKEY Target key name already exists.');
      const ttlArg = parseInt64(argv[2]);
      if (ttlArg === null) return reply.error(NOT_INTEGER);
      if (ttlArg < 0n) return reply.error('ERR Invalid TTL value, must be >= 0');
      const payload = argv[3];
      if (!verifyPayload(payload)) return reply.error('ERR DUMP payload version or checksum are wrong');
      let value;
      try {
        const r = new RdbReader(payload, payload.length - 10);
        value = r.value(r.u8());
        if (r.remaining !== 0) throw new Error('trailing bytes');
      } catch {
        return reply.error('ERR Bad data format');
      }
      const deleted = replace && db.delete(key);
      let ttl = Number(ttlArg);
      if (ttl && !absttl) ttl += Date.now();
      if (ttl && ttl <= Date.now() && !srv.isReplica) {
        if (deleted) {
          ctx.propagate = [[Buffer.from('DEL'), argv[1]]];
          srv.dirty++;
          notifyKeyspaceEvent(srv, 'g', 'del', argv[1], db.id);
        }
        return reply.ok();
      }
      db.set(key, value);
      // Redis applies IDLETIME under an LRU-or-other policy and FREQ under an LFU one.
      const lfu = srv.config.get('maxmemory-policy').endsWith('lfu');
      if (lfu ? freq >= 0n : idle >= 0n) stampRestored(srv, db, key, lfu ? 0 : Number(idle), lfu ? Number(freq) : -1);
      notifyKeyspaceEvent(srv, 'g', 'restore', argv[1], db.id);
      srv.signalKeyAsReady(db, key);
      if (ttl) {
        db.setExpire(key, ttl);
        if (!absttl) ctx.propagate = [[argv[0], argv[1], Buffer.from(String(ttl)), ...argv.slice(3), Buffer.from('ABSTTL')]];
      }
      srv.dirty++;
      reply.ok();
    },
  },
];
