// What the command fuzzer knows about commands, read at run time from a local redis-server:
// COMMAND DOCS (argument trees: kinds, tokens, optional/multiple) and COMMAND (arity, flags, tips).
// Nothing of Redis's JSON is kept in the repository.
import type { RespClient, Reply } from '../helpers/resp.js';

export type ArgKind = 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  token: string | null;
  optional: boolean;
  multiple: boolean;
  /** The token repeats before each value (`multiple_token`). */
  multipleToken: boolean;
  args: ArgSpec[];
}

export interface CommandSpec {
  /** e.g. ['CONFIG', 'GET'] for a subcommand. */
  prefix: string[];
  /** 'config|get' */
  fullName: string;
  arity: number;
  flags: Set<string>;
  tips: Set<string>;
  args: ArgSpec[];
}

const str = (r: Reply | undefined): string => (r && 'v' in r && (typeof r.v === 'string') ? r.v : '');

/** A RESP2 flat array of key/value pairs as a Map. */
function pairs(r: Reply | undefined): Map<string, Reply> {
  const m = new Map<string, Reply>();
  if (!r) return m;
  if (r.t === 'map') for (const [k, v] of r.v) m.set(str(k), v);
  else if ((r.t === 'array' || r.t === 'set') && r.v) for (let i = 0; i + 1 < r.v.length; i += 2) m.set(str(r.v[i]), r.v[i + 1]);
  return m;
}

const list = (r: Reply | undefined): Reply[] => (r && (r.t === 'array' || r.t === 'set') && r.v ? r.v : []);

function argSpec(r: Reply): ArgSpec {
  const m = pairs(r);
  const flags = new Set(list(m.get('flags')).map(str));
  return {
    name: str(m.get('name')),
    kind: str(m.get('type')) as ArgKind,
    token: m.has('token') ? str(m.get('token')) : null,
    optional: flags.has('optional'),
    multiple: flags.has('multiple'),
    multipleToken: flags.has('multiple_token'),
    args: list(m.get('arguments')).map(argSpec),
  };
}

interface InfoFacts {
  arity: number;
  flags: Set<string>;
  tips: Set<string>;
}

function infoFacts(entry: Reply, into: Map<string, InfoFacts>): void {
  const e = list(entry);
  if (e.length < 10) return;
  into.set(str(e[0]).toLowerCase(), {
    arity: Number(str(e[1])),
    flags: new Set(list(e[2]).map(str)),
    tips: new Set(list(e[7]).map(str)),
  });
  for (const sub of list(e[9])) infoFacts(sub, into);
}

/** Every command and subcommand redis-server documents, with its facts. */
export async function loadSpecs(redis: RespClient): Promise<CommandSpec[]> {
  const facts = new Map<string, InfoFacts>();
  for (const entry of list(await redis.call(['COMMAND']))) infoFacts(entry, facts);
  const docs = pairs(await redis.call(['COMMAND', 'DOCS']));
  const out: CommandSpec[] = [];
  const add = (fullName: string, doc: Reply) => {
    const d = pairs(doc);
    const subs = pairs(d.get('subcommands'));
    if (subs.size > 0) {
      for (const [name, sd] of subs) add(name.toLowerCase(), sd);
      return;
    }
    const f = facts.get(fullName);
    if (!f) return;
    const prefix = fullName.split('|').map((p) => p.toUpperCase());
    out.push({ prefix, fullName, arity: f.arity, flags: f.flags, tips: f.tips, args: list(d.get('arguments')).map(argSpec) });
  };
  for (const [name, doc] of docs) add(name.toLowerCase(), doc);
  out.sort((a, b) => a.fullName.localeCompare(b.fullName));
  return out;
}
