// ACL: SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, SAVE, LOAD, DRYRUN, HELP.
// The users, rules and checks live in acl/; this file parses arguments and writes Redis's replies.
import { randomBytes } from '../util/crypto.cjs';
import type { CommandContext, CommandDef } from './table.js';
import { cString, is, parseInt64 } from './args.js';
import { aclOf } from '../acl/registry.js';
import { loadAclFile, saveAclFile } from '../acl/file.js';
import { CATEGORIES, categoryIndex, commandUniverse } from '../acl/universe.js';
import { ACL_OK, DENIED_CHANNEL, DENIED_KEY, type Selector } from '../acl/selector.js';

const latin1 = (b: Buffer): string => b.latin1Slice(0, b.length);
const NO_ACLFILE = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function badArgs(ctx: CommandContext): void {
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${latin1(ctx.argv[1])}'. Try ACL HELP.`);
}

function selectorMap(ctx: CommandContext, s: Selector): void {
  const { reply } = ctx;
  reply.bulk('commands');
  reply.bulkLatin1(s.describeCommands());
  reply.bulk('keys');
  reply.bulkLatin1(s.describeKeys());
  reply.bulk('channels');
  reply.bulkLatin1(s.describeChannels());
}

function getUser(ctx: CommandContext): void {
  const { srv, reply, argv } = ctx;
  const u = aclOf(srv).users.get(latin1(argv[2]));
  if (!u) return reply.null();
  reply.map(6);
  reply.bulk('flags');
  const flags = u.flagNames();
  reply.set(flags.length);
  for (const f of flags) reply.bulk(f);
  reply.bulk('passwords');
  reply.array(u.passwords.length);
  for (const p of u.passwords) reply.bulk(p);
  selectorMap(ctx, u.root);
  reply.bulk('selectors');
  reply.array(u.selectors.length);
  for (const s of u.selectors) {
    reply.map(3);
    selectorMap(ctx, s);
  }
}

function cat(ctx: CommandContext): void {
  const { reply, argv } = ctx;
  if (argv.length > 3) return badArgs(ctx);
  if (argv.length === 2) {
    reply.array(CATEGORIES.length);
    for (const c of CATEGORIES) reply.bulk(c);
    return;
  }
  const i = categoryIndex(latin1(argv[2]));
  if (i < 0) return reply.error(`ERR Unknown category '${cString(argv[2]).slice(0, 128)}'`); // '%.128s'
  const names = commandUniverse().all.filter((c) => c.categories & (1 << i)).map((c) => c.name);
  reply.array(names.length);
  for (const n of names) reply.bulk(n);
}

function genpass(ctx: CommandContext): void {
  const { reply, argv } = ctx;
  if (argv.length > 3) return badArgs(ctx);
  let bits = 256;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null) return reply.error('ERR value is not an integer or out of range');
    if (n <= 0n || n > 4096n) return reply.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
    bits = Number(n);
  }
  const chars = Math.ceil(bits / 4);
  reply.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(ctx: CommandContext): void {
  const { srv, reply, argv } = ctx;
  if (argv.length > 3) return badArgs(ctx);
  const reg = aclOf(srv);
  let count = Infinity;
  if (argv.length === 3) {
    if (is(argv[2], 'reset')) {
      reg.log.reset();
      return reply.ok();
    }
    const n = parseInt64(argv[2]);
    if (n === null) return reply.error('ERR value is not an integer or out of range');
    count = n < 0n ? 0 : Number(n);
  }
  const entries = reg.log.entries.slice(0, count);
  const now = Date.now();
  reply.array(entries.length);
  for (const e of entries) {
    reply.map(7);
    reply.bulk('count');
    reply.int(e.count);
    reply.bulk('reason');
    reply.bulk(e.reason);
    reply.bulk('context');
    reply.bulk(e.context);
    reply.bulk('object');
    reply.bulkLatin1(e.object);
    reply.bulk('username');
    reply.bulkLatin1(e.username);
    reply.bulk('age-seconds');
    reply.double((now - e.ctime) / 1000);
    reply.bulk('client-info');
    reply.bulkLatin1(e.clientInfo);
  }
}

function dryrun(ctx: CommandContext): void {
  const { srv, reply, argv } = ctx;
  const u = aclOf(srv).users.get(latin1(argv[2]));
  if (!u) return reply.error(`ERR User '${cString(argv[2])}' not found`);
  const args = argv.slice(3);
  const uni = commandUniverse();
  let cmd = uni.lookup(latin1(args[0]));
  if (cmd && cmd.subs.length > 0 && args.length > 1) cmd = uni.lookup(`${cmd.name}|${latin1(args[1])}`);
  if (!cmd) return reply.error(`ERR Command '${cString(args[0])}' not found`);
  if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
    return reply.error(`ERR wrong number of arguments for '${cmd.name}' command`);
  }
  const r = u.check(cmd, args);
  if (r.code === ACL_OK) return reply.ok();
  if (r.code === DENIED_KEY) return reply.bulkLatin1(`This user has no permissions to access the '${latin1(args[r.pos])}' key`);
  if (r.code === DENIED_CHANNEL) return reply.bulkLatin1(`This user has no permissions to access the '${latin1(args[r.pos])}' channel`);
  reply.bulkLatin1(`This user has no permissions to run the '${cmd.name}' command`);
}

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  "    Returns whether the user can execute the given command without executing the command.",
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Prints this help.',
];

export const aclCommands: CommandDef[] = [
  {
    name: 'acl|setuser',
    handler({ srv, client, reply, argv }) {
      const err = aclOf(srv).setUser(latin1(argv[2]), argv.slice(3).map(latin1), client);
      if (err) reply.error(`ERR ${err}`);
      else reply.ok();
    },
  },
  { name: 'acl|getuser', handler: getUser },
  {
    name: 'acl|deluser',
    handler({ srv, client, reply, argv }) {
      const n = aclOf(srv).deleteUsers(argv.slice(2).map(latin1), client);
      if (typeof n === 'string') reply.error(`ERR ${n}`);
      else reply.int(n);
    },
  },
  {
    name: 'acl|list',
    handler({ srv, reply }) {
      const users = aclOf(srv).sortedUsers();
      reply.array(users.length);
      for (const u of users) reply.bulkLatin1(`user ${u.name} ${u.describe()}`);
    },
  },
  {
    name: 'acl|users',
    handler({ srv, reply }) {
      const users = aclOf(srv).sortedUsers();
      reply.array(users.length);
      for (const u of users) reply.bulkLatin1(u.name);
    },
  },
  { name: 'acl|whoami', handler: ({ client, reply }) => reply.bulkLatin1(client.user) },
  { name: 'acl|cat', handler: cat },
  { name: 'acl|genpass', handler: genpass },
  { name: 'acl|log', handler: log },
  {
    name: 'acl|save',
    handler({ srv, reply }) {
      const file = srv.config.get('aclfile');
      if (!file) return reply.error(NO_ACLFILE);
      const err = saveAclFile(aclOf(srv), file);
      if (err) {
        srv.log.warning(err);
        return reply.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
      }
      reply.ok();
    },
  },
  {
    name: 'acl|load',
    handler({ srv, reply }) {
      const file = srv.config.get('aclfile');
      if (!file) return reply.error(NO_ACLFILE);
      const err = loadAclFile(aclOf(srv), file);
      if (err) reply.error(`ERR ${err}`);
      else reply.ok();
    },
  },
  { name: 'acl|dryrun', handler: dryrun },
  {
    name: 'acl|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const l of HELP) reply.simple(l);
    },
  },
];
