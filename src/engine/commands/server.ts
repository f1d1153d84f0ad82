// Server commands: COMMAND (INFO, COUNT, GETKEYS, LIST, DOCS), INFO, DBSIZE, SWAPDB, FLUSHDB/FLUSHALL,
// SHUTDOWN, TIME. CONFIG, CLIENT, SLOWLOG and DEBUG have their own files.
import type { CommandDef, CommandContext, Command } from './table.js';
import type { FactNode } from './generated/command-facts.js';
import type { ReplyWriter } from '../protocol/writer.js';
import type { Db } from '../store/db.js';
import { globMatchStr } from '../util/glob.js';
import { is, parseInt32 } from './args.js';
import { commandDocsHandler, commandHelp, keysAndFlags } from './command-docs.js';

/** Writes a generated fact tree in the client's protocol (sets/maps degrade to arrays in RESP2). */
function writeFact(reply: ReplyWriter, n: FactNode): void {
  if (n === null) return reply.null();
  if (typeof n === 'string') return reply.bulk(n);
  if (typeof n === 'number') return reply.int(n);
  if (typeof n === 'boolean') return reply.bool(n);
  if (n.t === 'simple') return reply.simple(n.v[0] as string);
  if (n.t === 'map') {
    reply.map(n.v.length / 2);
  } else if (n.t === 'set') {
    reply.set(n.v.length);
  } else {
    reply.array(n.v.length);
  }
  for (const x of n.v) writeFact(reply, x);
}

/** COMMAND INFO entry for a command: facts as Redis has them, restricted to implemented subcommands. */
function writeCommandInfo(reply: ReplyWriter, cmd: Command): void {
  const fact = cmd.fact;
  if (!fact || typeof fact !== 'object') {
    reply.array(10);
    reply.bulk(cmd.name);
    reply.int(cmd.arity);
    reply.set(cmd.flags.size);
    for (const f of cmd.flags) reply.simple(f);
    reply.int(cmd.firstKey);
    reply.int(cmd.lastKey);
    reply.int(cmd.step);
    reply.set(0);
    reply.set(0);
    reply.set(0);
    reply.set(0);
    return;
  }
  const v = fact.v;
  reply.array(v.length);
  reply.bulk(v[0] as string);
  for (let i = 1; i < v.length; i++) {
    if (i === 9) {
      const subs = [...cmd.subcommands.values()];
      reply.set(subs.length);
      for (const s of subs) writeCommandInfo(reply, s);
    } else {
      writeFact(reply, v[i]);
    }
  }
}

/** COMMAND GETKEYS (and GETKEYSANDFLAGS) with Redis's checks in Redis's order: unknown, no keys, then arity. */
function getKeys({ srv, reply, argv }: CommandContext, withFlags = false): void {
  const sub = argv.slice(2);
  let cmd = srv.table.lookup(sub[0].toString().toLowerCase());
  if (cmd && cmd.subcommands.size > 0 && sub.length >= 2) cmd = cmd.subcommands.get(sub[1].toString().toLowerCase());
  if (!cmd || !cmd.handler) return reply.error('ERR Invalid command specified');
  if (cmd.firstKey <= 0 && !cmd.movableKeys) return reply.error('ERR The command has no key arguments');
  if (!cmd.arityOk(sub.length)) return reply.error('ERR Invalid number of arguments specified for command');
  const keys = withFlags ? keysAndFlags(cmd, sub) : cmd.keyPositions(sub).map((k) => [k, []] as [number, string[]]);
  // Commands whose keys are optional (EVAL/FCALL with numkeys 0) list none, as Redis 7.0.
  if (keys.length === 0 && !cmd.flags.has('no_mandatory_keys')) return reply.error('ERR Invalid arguments specified for command');
  reply.array(keys.length);
  for (const [k, flags] of keys) {
    if (withFlags) reply.array(2);
    reply.bulk(sub[k]);
    if (withFlags) {
      reply.set(flags.length);
      for (const f of flags) reply.simple(f);
    }
  }
}

/** COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]: names including subcommands (a|b). */
function commandList({ srv, reply, argv }: CommandContext): void {
  let filter: (c: Command) => boolean = () => true;
  if (argv.length === 5 && is(argv[2], 'filterby')) {
    const v = argv[4].toString();
    if (is(argv[3], 'module')) filter = () => false;
    else if (is(argv[3], 'aclcat')) filter = (c) => aclCategories(c).includes('@' + v.toLowerCase());
    else if (is(argv[3], 'pattern')) filter = (c) => globMatchStr(v, c.fullName, true);
    else return reply.error('ERR syntax error');
  } else if (argv.length !== 2) {
    return reply.error('ERR syntax error');
  }
  const names: string[] = [];
  for (const c of srv.table.commands.values()) {
    if (filter(c)) names.push(c.fullName);
    for (const s of c.subcommands.values()) if (filter(s)) names.push(s.fullName);
  }
  reply.array(names.length);
  for (const n of names) reply.bulk(n);
}

/** ACL categories from the generated facts (index 6 of a COMMAND entry). */
function aclCategories(c: Command): string[] {
  const f = c.fact;
  if (!f || typeof f !== 'object') return [];
  const cats = f.v[6];
  if (!cats || typeof cats !== 'object') return [];
  return cats.v.map((x) => (x && typeof x === 'object' ? String(x.v[0]) : String(x)));
}

/** SWAPDB: the two Db objects exchange contents; clients keep their db index and see the other data. */
function swapDbs(a: Db, b: Db): void {
  if (a === b) return;
  type Contents = { data: Db['data']; expires: Db['expires']; scanCursors: Db['scanCursors'] };
  const x = a as unknown as Contents;
  const y = b as unknown as Contents;
  [x.data, y.data] = [y.data, x.data];
  [x.expires, y.expires] = [y.expires, x.expires];
  [x.scanCursors, y.scanCursors] = [y.scanCursors, x.scanCursors];
  // WATCHed keys in either db may now read differently (Redis's touchAllWatchedKeysInDb).
  for (const db of [a, b]) for (const k of db.watched.keys()) db.touch(k);
}

export const serverCommands: CommandDef[] = [
  {
    name: 'command',
    handler({ srv, reply, argv }) {
      // Only bare COMMAND lists the table: an unknown subcommand reaches this container's handler.
      if (argv.length > 1) return reply.error(`ERR unknown subcommand '${argv[1].latin1Slice(0, Math.min(argv[1].length, 128))}'. Try COMMAND HELP.`);
      const cmds = [...srv.table.commands.values()];
      reply.array(cmds.length);
      for (const c of cmds) writeCommandInfo(reply, c);
    },
  },
  { name: 'command|count', handler: ({ srv, reply }) => reply.int(srv.table.commands.size) },
  {
    name: 'command|info',
    handler({ srv, reply, argv }) {
      const names = argv.length > 2 ? argv.slice(2) : null;
      const list = names ? names.map((n) => srv.table.lookup(n.toString().toLowerCase()) ?? null) : [...srv.table.commands.values()];
      reply.array(list.length);
      for (const c of list) {
        if (c) writeCommandInfo(reply, c);
        else reply.null();
      }
    },
  },
  { name: 'command|getkeys', handler: getKeys },
  { name: 'command|list', handler: commandList },
  { name: 'command|docs', handler: commandDocsHandler },
  { name: 'command|getkeysandflags', handler: (ctx) => getKeys(ctx, true) },
  { name: 'command|help', handler: commandHelp },
  {
    name: 'swapdb',
    handler({ srv, reply, argv }) {
      if (srv.config.bool('cluster-enabled')) return reply.error('ERR SWAPDB is not allowed in cluster mode');
      // Redis reads both as C ints: anything outside that range is "invalid", not "out of range".
      const a = parseInt32(argv[1]);
      if (typeof a === 'string') return reply.error('ERR invalid first DB index');
      const b = parseInt32(argv[2]);
      if (typeof b === 'string') return reply.error('ERR invalid second DB index');
      const n = srv.dbs.length;
      if (a < 0 || a >= n || b < 0 || b >= n) return reply.error('ERR DB index is out of range');
      swapDbs(srv.dbs[a], srv.dbs[b]);
      srv.signalDbAsReady(srv.dbs[a]);
      srv.signalDbAsReady(srv.dbs[b]);
      srv.dirty++;
      reply.ok();
    },
  },
  {
    name: 'info',
    handler({ srv, reply, argv }) {
      reply.verbatim(srv.info.render(argv.slice(1).map((a) => a.toString())));
    },
  },
  { name: 'dbsize', handler: ({ db, reply }) => reply.int(db.size) },
  {
    name: 'flushdb',
    handler({ srv, db, reply, argv }) {
      if (argv.length > 2 || (argv.length === 2 && !is(argv[1], 'async') && !is(argv[1], 'sync'))) return reply.error('ERR syntax error');
      db.clear();
      srv.dirty++;
      reply.ok();
    },
  },
  {
    name: 'flushall',
    handler({ srv, reply, argv }) {
      if (argv.length > 2 || (argv.length === 2 && !is(argv[1], 'async') && !is(argv[1], 'sync'))) return reply.error('ERR syntax error');
      for (const db of srv.dbs) db.clear();
      srv.dirty++;
      reply.ok();
    },
  },
  {
    name: 'shutdown',
    handler({ srv, reply, argv }) {
      let save: boolean | null = null;
      for (const a of argv.slice(1)) {
        if (is(a, 'nosave')) save = false;
        else if (is(a, 'save')) save = true;
        else if (is(a, 'now') || is(a, 'force') || is(a, 'abort')) continue;
        else return reply.error('ERR syntax error');
      }
      srv.requestShutdown(save).catch((e: Error) => reply.error(`ERR Errors trying to SHUTDOWN. Check logs. (${e.message})`));
    },
  },
  {
    name: 'time',
    handler({ reply }) {
      const us = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000));
      reply.array(2);
      reply.bulk(String(us / 1000000n));
      reply.bulk(String(us % 1000000n));
    },
  },
];
