// CLIENT subcommands: ID, SETNAME, GETNAME, LIST, INFO, KILL (old and filter forms), NO-EVICT,
// REPLY, GETREDIR, UNBLOCK, HELP. The LIST/INFO line has Redis's fields in Redis's order.
import type { CommandContext, CommandDef } from './table.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { cString, is, parseInt64 } from './args.js';
import { SYNTAX } from './errors.js';
import { blockingOf } from '../blocking/registry.js';
import { aclOf } from '../acl/registry.js';

/** Redis's client type names for LIST/KILL TYPE. */
function clientType(c: Client): 'normal' | 'master' | 'replica' | 'pubsub' {
  if (c.isMaster) return 'master';
  if (c.isReplica) return 'replica';
  if (c.subscriptionCount + c.shardChannels.size > 0) return 'pubsub';
  return 'normal';
}

function parseType(arg: Buffer): string | null {
  const t = arg.toString().toLowerCase();
  if (t === 'slave') return 'replica';
  return ['normal', 'master', 'replica', 'pubsub'].includes(t) ? t : null;
}

function flagsOf(c: Client): string {
  let f = '';
  if (c.isReplica) f += 'S';
  if (c.isMaster) f += 'M';
  if (c.subscriptionCount + c.shardChannels.size > 0) f += 'P';
  if (c.multi) f += 'x';
  if (c.blocked) f += 'b';
  if (c.tracking) f += 't' + (c.tracking.brokenRedirect ? 'R' : '') + (c.tracking.bcast ? 'B' : '');
  if (c.watchFlag.dirtyCas) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.readOnlyMode) f += 'r';
  if (c.monitor) f += 'O';
  if (c.noEvict) f += 'e';
  return f || 'N';
}

function fdOf(c: Client): number {
  const h = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/** One CLIENT LIST line; `current` is the command being run by the client asking. */
export function clientInfoLine(srv: Server, c: Client, self: Client, current: string, selfArgv: Buffer[] = []): string {
  const now = srv.now();
  // As Redis counts them: the asking client's query buffer still holds the command it runs, and its
  // argv is in memory; another client has only what it sent beyond its last complete command.
  let qbuf = c.parser.pending();
  let argvMem = c.parser.partialArgvBytes();
  if (c === self) {
    qbuf += wireSize(selfArgv);
    for (const a of selfArgv) argvMem += a.length;
  }
  const omem = c.reply.queued;
  return [
    `id=${c.id}`, `addr=${c.addr}`, `laddr=${c.laddr}`, `fd=${fdOf(c)}`, `name=${c.name}`,
    `age=${Math.floor((now - c.createdAt) / 1000)}`, `idle=${Math.floor((now - c.lastInteraction) / 1000)}`,
    `flags=${flagsOf(c)}`, `db=${c.dbIndex}`, `sub=${c.channels.size}`, `psub=${c.patterns.size}`,
    `ssub=${c.shardChannels.size}`, `multi=${c.multi ? c.multi.queue.length : -1}`, `qbuf=${qbuf}`,
    `qbuf-free=${Math.max(0, 20474 - qbuf)}`, `argv-mem=${argvMem}`, `multi-mem=0`, `rbs=16384`, `rbp=16384`,
    `obl=${Math.min(omem, 16384)}`, `oll=0`, `omem=${omem}`, `tot-mem=${22000 + qbuf + argvMem + omem}`,
    `events=r${omem > 0 ? 'w' : ''}`, `cmd=${c === self ? current : c.lastCommand}`, `user=${c.user}`,
    `redir=${c.tracking ? c.tracking.redirect : -1}`, `resp=${c.reply.resp}`,
  ].join(' ');
}

/** Bytes of argv as a RESP multibulk. */
function wireSize(argv: Buffer[]): number {
  if (argv.length === 0) return 0;
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

/** Names may not contain spaces or non-printable characters (Redis checks '!'..'~'). */
export function validClientName(name: Buffer): boolean {
  for (const ch of name) if (ch < 0x21 || ch > 0x7e) return false;
  return true;
}

function list(ctx: CommandContext): void {
  const { argv, srv, reply, client } = ctx;
  let picked = [...srv.clients.values()];
  if (argv.length === 4 && is(argv[2], 'type')) {
    const t = parseType(argv[3]);
    if (t === null) return reply.error(`ERR Unknown client type '${argv[3].toString('latin1')}'`);
    picked = picked.filter((c) => clientType(c) === t);
  } else if (argv.length > 3 && is(argv[2], 'id')) {
    const ids = new Set<number>();
    for (const a of argv.slice(3)) {
      const n = parseInt64(a);
      // Only a non-number is refused; ids no client can have (0, negative) just match nothing.
      if (n === null) return reply.error('ERR Invalid client ID');
      ids.add(Number(n));
    }
    picked = picked.filter((c) => ids.has(c.id));
  } else if (argv.length !== 2) {
    return reply.error(SYNTAX);
  }
  reply.verbatim(picked.map((c) => clientInfoLine(srv, c, client, ctx.cmd.fullName, ctx.argv) + '\n').join(''));
}

interface KillFilter {
  id?: number;
  type?: string;
  user?: string;
  addr?: string;
  laddr?: string;
  skipMe: boolean;
  maxAge?: number;
}

function parseKillFilter(ctx: CommandContext): KillFilter | string {
  const { argv } = ctx;
  const f: KillFilter = { skipMe: true };
  // Pairs are read in order (a bad one is reported before a missing last value), as Redis does.
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return SYNTAX;
    const v = argv[i + 1];
    if (is(argv[i], 'id')) {
      const n = parseInt64(v);
      if (n === null || n <= 0n) return 'ERR client-id should be greater than 0';
      f.id = Number(n);
    } else if (is(argv[i], 'type')) {
      const t = parseType(v);
      if (t === null) return `ERR Unknown client type '${v.toString('latin1')}'`;
      f.type = t;
    } else if (is(argv[i], 'user')) {
      if (!aclOf(ctx.srv).users.has(v.latin1Slice(0, v.length))) return `ERR No such user '${cString(v)}'`;
      f.user = v.latin1Slice(0, v.length);
    } else if (is(argv[i], 'addr')) f.addr = v.toString();
    else if (is(argv[i], 'laddr')) f.laddr = v.toString();
    else if (is(argv[i], 'skipme')) {
      if (is(v, 'yes')) f.skipMe = true;
      else if (is(v, 'no')) f.skipMe = false;
      else return SYNTAX;
    } else if (is(argv[i], 'maxage')) {
      const n = parseInt64(v);
      if (n === null) return 'ERR value is not an integer or out of range';
      f.maxAge = Number(n);
    } else return SYNTAX;
  }
  return f;
}

function matches(ctx: CommandContext, c: Client, f: KillFilter): boolean {
  if (f.id !== undefined && c.id !== f.id) return false;
  if (f.type !== undefined && clientType(c) !== f.type) return false;
  if (f.user !== undefined && c.user !== f.user) return false;
  if (f.addr !== undefined && c.addr !== f.addr) return false;
  if (f.laddr !== undefined && c.laddr !== f.laddr) return false;
  if (f.skipMe && c === ctx.client) return false;
  if (f.maxAge !== undefined && (ctx.srv.now() - c.createdAt) / 1000 < f.maxAge) return false;
  return true;
}

/** Closes a client; the caller itself is closed once this reply is written. */
function kill(ctx: CommandContext, c: Client): void {
  if (c === ctx.client) c.closeAfterReply = true;
  else ctx.srv.closeClient(c);
}

function clientKill(ctx: CommandContext): void {
  const { argv, srv, reply } = ctx;
  if (argv.length === 3) {
    // Old form: CLIENT KILL addr:port
    const addr = argv[2].toString();
    const c = [...srv.clients.values()].find((x) => x.addr === addr);
    if (!c) return reply.error('ERR No such client');
    kill(ctx, c);
    return reply.ok();
  }
  const f = parseKillFilter(ctx);
  if (typeof f === 'string') return reply.error(f);
  const victims = [...srv.clients.values()].filter((c) => matches(ctx, c, f));
  for (const c of victims) kill(ctx, c);
  reply.int(victims.length);
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a BLPOP-like or WAIT block with its timeout reply or an error. */
function clientUnblock({ srv, reply, argv }: CommandContext): void {
  if (argv.length > 4) return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].toString('latin1')}'. Try CLIENT HELP.`);
  let asError = false;
  if (argv.length === 4) {
    if (is(argv[3], 'error')) asError = true;
    else if (!is(argv[3], 'timeout')) return reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInt64(argv[2]);
  if (id === null) return reply.error('ERR value is not an integer or out of range');
  const target = id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? srv.clients.get(Number(id)) : undefined;
  const reg = blockingOf(srv);
  if (!target?.blocked || !reg.isWaiting(target)) return reply.int(0);
  if (asError) {
    target.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    reg.unblock(target);
  } else target.blocked.onTimeout(); // writes the timeout reply and unblocks
  reply.int(1);
}

/** Redis 7.0's CLIENT HELP text, line for line (the ID and MAXAGE kill filters are not in it). */
const CLIENT_HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
];

export const clientCommands: CommandDef[] = [
  { name: 'client|id', handler: ({ client, reply }) => reply.int(client.id) },
  {
    name: 'client|setname',
    handler({ client, reply, argv }) {
      if (!validClientName(argv[2])) return reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      client.name = argv[2].toString();
      reply.ok();
    },
  },
  { name: 'client|getname', handler: ({ client, reply }) => reply.bulk(client.name === '' ? null : client.name) },
  { name: 'client|list', handler: list },
  { name: 'client|info', handler: (ctx) => ctx.reply.verbatim(clientInfoLine(ctx.srv, ctx.client, ctx.client, ctx.cmd.fullName, ctx.argv) + '\n') },
  { name: 'client|kill', handler: clientKill },
  { name: 'client|unblock', handler: clientUnblock },
  {
    name: 'client|no-evict',
    handler({ client, reply, argv }) {
      if (is(argv[2], 'on')) client.noEvict = true;
      else if (is(argv[2], 'off')) client.noEvict = false;
      else return reply.error(SYNTAX);
      reply.ok();
    },
  },
  {
    name: 'client|reply',
    handler({ client, reply, argv }) {
      if (is(argv[2], 'on')) {
        client.replyMode = 'on';
        reply.muted = false; // the dispatcher muted this call while replies were off
        reply.ok();
      } else if (is(argv[2], 'off')) client.replyMode = 'off';
      else if (is(argv[2], 'skip')) {
        if (client.replyMode !== 'off') client.replyMode = 'skip';
      } else reply.error(SYNTAX);
    },
  },
  {
    name: 'client|help',
    handler({ reply }) {
      reply.array(CLIENT_HELP.length);
      for (const l of CLIENT_HELP) reply.simple(l);
    },
  },
];
