// Server commands: COMMAND, INFO, CONFIG, DBSIZE, FLUSHDB/FLUSHALL, SHUTDOWN, TIME.
import type { CommandDef, CommandContext, Command } from './table.js';
import type { FactNode } from './generated/command-facts.js';
import type { ReplyWriter } from '../protocol/writer.js';
import { ConfigError, findDirective } from '../config.js';
import { globMatchStr } from '../util/glob.js';
import { is } from './args.js';

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

function configGet(ctx: CommandContext): void {
  const seen = new Map<string, string>();
  for (let i = 2; i < ctx.argv.length; i++) {
    const pat = ctx.argv[i].toString();
    for (const [k, v] of ctx.srv.config.getMatching(pat, (p, name) => globMatchStr(p, name, true))) seen.set(k, v);
  }
  ctx.reply.map(seen.size);
  for (const [k, v] of seen) {
    ctx.reply.bulk(k);
    ctx.reply.bulk(v);
  }
}

function configSet(ctx: CommandContext): void {
  const { argv, reply, srv } = ctx;
  if (argv.length % 2 !== 0) return reply.error("ERR wrong number of arguments for 'config|set' command");
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i].toString();
    const d = findDirective(name);
    if (!d) return reply.error(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
    if (d.immutable) return reply.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
    if (pairs.some(([n]) => findDirective(n) === d)) return reply.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
    pairs.push([name, argv[i + 1].toString()]);
  }
  // All-or-nothing like Redis 7: validate every value first, then apply.
  const old = pairs.map(([n]) => srv.config.get(n));
  for (let j = 0; j < pairs.length; j++) {
    const [name, value] = pairs[j];
    try {
      srv.config.set(name, splitConfigValue(name, value));
    } catch (e) {
      for (let k = 0; k < j; k++) srv.config.set(pairs[k][0], splitConfigValue(pairs[k][0], old[k]));
      const msg = e instanceof ConfigError ? e.message : String(e);
      return reply.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${msg}`);
    }
  }
  reply.ok();
}

/** CONFIG SET takes one string; multi-argument directives (save, bind, ...) split it on spaces. */
function splitConfigValue(name: string, value: string): string[] {
  const d = findDirective(name);
  if (d && (d.type === 'save' || d.type === 'list' || d.type === 'special' || d.name === 'replicaof')) return value === '' ? [] : value.split(' ');
  return [value];
}

export const serverCommands: CommandDef[] = [
  {
    name: 'command',
    handler({ srv, reply }) {
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
        else reply.nullArray();
      }
    },
  },
  {
    name: 'command|getkeys',
    handler({ srv, reply, argv }) {
      const sub = argv.slice(2);
      const resolved = srv.dispatch.resolve(sub);
      if (typeof resolved === 'string') {
        if (resolved.startsWith('ERR unknown command')) return reply.error('ERR Invalid command specified');
        return reply.error('ERR Invalid number of arguments specified for command');
      }
      const keys = resolved.keyPositions(sub);
      if (keys.length === 0) return reply.error('ERR The command has no key arguments');
      reply.array(keys.length);
      for (const k of keys) reply.bulk(sub[k]);
    },
  },
  {
    name: 'info',
    handler({ srv, reply, argv }) {
      reply.verbatim(srv.info.render(argv.slice(1).map((a) => a.toString())));
    },
  },
  { name: 'config|get', handler: configGet },
  { name: 'config|set', handler: configSet },
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
