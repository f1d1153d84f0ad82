// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the one directive table (config-directives.ts).
import type { CommandContext, CommandDef } from './table.js';
import { ConfigError, findDirective } from '../config.js';
import { rewriteConfigFile } from '../config-rewrite.js';
import { globMatchStr } from '../util/glob.js';
import { applyPort } from './config-port.js';

function configGet(ctx: CommandContext): void {
  const seen = new Map<string, string>();
  for (let i = 2; i < ctx.argv.length; i++) {
    const pat = ctx.argv[i].toString();
    // A plain name (no glob) is looked up directly and echoed as written, hidden configs included.
    if (!/[*?[]/.test(pat)) {
      const d = findDirective(pat);
      if (d) seen.set(pat, d.name === 'dir' ? process.cwd() : ctx.srv.config.get(d.name));
      continue;
    }
    for (const [k, v] of ctx.srv.config.getMatching(pat, (p, name) => globMatchStr(p, name, true))) {
      // Redis reports dir as the absolute working directory.
      seen.set(k, k === 'dir' ? process.cwd() : v);
    }
  }
  ctx.reply.map(seen.size);
  for (const [k, v] of seen) {
    ctx.reply.bulk(k);
    ctx.reply.bulk(v);
  }
}

/** CONFIG SET takes one string; multi-argument directives (save, bind, ...) split it on spaces. */
function splitConfigValue(name: string, value: string): string[] {
  const d = findDirective(name);
  if (d && (d.type === 'save' || d.type === 'list' || d.type === 'special' || d.name === 'replicaof')) return value === '' ? [] : value.split(' ');
  return [value];
}

function configSet(ctx: CommandContext): void {
  const { argv, reply, srv } = ctx;
  if (argv.length % 2 !== 0) return reply.error('ERR syntax error'); // a name without its value, as Redis 7.0
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i].toString();
    const d = findDirective(name);
    if (!d) return reply.error(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
    if (d.immutable) return reply.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
    // A name twice is a duplicate; a name and its alias (lua-time-limit, busy-reply-threshold) are not: Redis 7.0 sets both, in order.
    if (pairs.some(([n]) => n.toLowerCase() === name.toLowerCase())) return reply.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
    pairs.push([name, argv[i + 1].toString()]);
  }
  // All-or-nothing like Redis 7: on the first bad value, restore what was already applied.
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
  const portAt = pairs.findIndex(([n]) => findDirective(n)?.name === 'port');
  if (portAt >= 0 && srv.config.get('port') !== old[portAt]) {
    const rollback = () => pairs.forEach(([n], k) => srv.config.set(n, splitConfigValue(n, old[k])));
    return applyPort(ctx, srv.config.int('port'), rollback);
  }
  reply.ok();
}

function resetStat(ctx: CommandContext): void {
  const { srv } = ctx;
  for (const k of Object.keys(srv.stats) as (keyof typeof srv.stats)[]) srv.stats[k] = 0;
  srv.commandStats.clear();
  for (const db of srv.dbs) {
    db.hits = 0;
    db.misses = 0;
  }
  for (const h of srv.hooks.resetStat) h();
  ctx.reply.ok();
}

function rewrite(ctx: CommandContext): void {
  const { srv, reply } = ctx;
  if (!srv.config.configFile) return reply.error('ERR The server is running without a config file');
  try {
    rewriteConfigFile(srv.config);
  } catch (e) {
    srv.log.warning(`CONFIG REWRITE failed: ${(e as Error).message}`);
    return reply.error(`ERR Rewriting config file: ${(e as Error).message}`);
  }
  srv.log.notice('CONFIG REWRITE executed with success.');
  reply.ok();
}

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

export const configCommands: CommandDef[] = [
  { name: 'config|get', handler: configGet },
  { name: 'config|set', handler: configSet },
  { name: 'config|resetstat', handler: resetStat },
  { name: 'config|rewrite', handler: rewrite },
  {
    name: 'config|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const l of HELP) reply.simple(l);
    },
  },
];
