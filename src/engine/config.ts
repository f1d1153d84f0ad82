// redis.conf parsing shared by the server, Sentinel and the renderer: the same directive table
// (config-directives.ts), the same line splitting as Redis, and Redis's fatal-error texts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DIRECTIVES, type Directive } from './config-directives.js';
import { splitArgs } from './protocol/split-args.js';

export class ConfigError extends Error {}

const BY_NAME = new Map<string, Directive>();
for (const d of DIRECTIVES) {
  BY_NAME.set(d.name, d);
  for (const a of d.aliases ?? []) BY_NAME.set(a, d);
}

export function findDirective(name: string): Directive | undefined {
  return BY_NAME.get(name.toLowerCase());
}

const MEM_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };

/** Redis's memtoull: "100", "1gb", "64mb", "10k"; null when malformed. */
export function parseMemory(s: string): number | null {
  // Digits then a unit; no sign; no digits at all reads as 0 ("" and "kb" are accepted, as strtoull does).
  const m = /^(\d*)([a-z]*)$/i.exec(s);
  if (!m) return null;
  const unit = MEM_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]) * unit;
}

/** Limits at the JS safe-integer edge stand for Redis's LLONG_MAX in messages. */
function bound(n: number | undefined): string {
  return n === Number.MAX_SAFE_INTEGER ? '9223372036854775807' : String(n);
}

function parseIntStrict(s: string): number | null {
  return /^-?\d+$/.test(s) ? Number(s) : null;
}

/** Validates and canonicalises one directive's arguments; throws with Redis's message. */
export function normalizeValue(d: Directive, args: string[], current?: string): string {
  if (d.normalize) {
    try {
      return d.normalize(args);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  switch (d.type) {
    case 'bool': {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      const v = args[0].toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      return v;
    }
    case 'int': {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      const n = parseIntStrict(args[0]);
      if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
      if (n < (d.min ?? -Infinity) || n > (d.max ?? Infinity)) throw new ConfigError(`argument must be between ${bound(d.min)} and ${bound(d.max)} inclusive`);
      return String(n);
    }
    case 'memory': {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      if (d.percent) {
        const pct = /^(\d+)%$/.exec(args[0]);
        if (pct && Number(pct[1]) > 100) throw new ConfigError('percentage argument must be less or equal to 100');
        if (pct) return `${Number(pct[1])}%`;
      }
      const n = parseMemory(args[0]);
      if (n === null) throw new ConfigError(d.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
      if (n < (d.min ?? 0) || n > (d.max ?? Infinity)) throw new ConfigError(`argument must be between ${bound(d.min)} and ${bound(d.max)} inclusive`);
      return String(n);
    }
    case 'enum': {
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      const v = args[0].toLowerCase();
      if (!d.values?.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${d.values?.join(', ')}`);
      return v;
    }
    case 'string': {
      if (d.name === 'replicaof') return normalizeReplicaof(args);
      if (args.length !== 1) throw new ConfigError('wrong number of arguments');
      return args[0];
    }
    case 'save': {
      // `save ""` clears; otherwise pairs of seconds and changes.
      const flat = args.flatMap((a) => a.split(' ')).filter((a) => a !== '');
      if (flat.length % 2 !== 0 || flat.some((a) => parseIntStrict(a) === null || Number(a) < 0)) throw new ConfigError('Invalid save parameters');
      return flat.join(' ');
    }
    case 'list':
      return args.flatMap((a) => a.split(' ')).filter((a) => a !== '').join(' ');
    case 'special':
      return normalizeSpecial(d, args, current ?? d.default);
  }
}

function normalizeReplicaof(args: string[]): string {
  const flat = args.length === 1 ? args[0].split(' ').filter(Boolean) : args;
  if (flat.length === 0) return '';
  if (flat.length !== 2) throw new ConfigError('wrong number of arguments');
  if (flat[0].toLowerCase() === 'no' && flat[1].toLowerCase() === 'one') return '';
  const port = parseIntStrict(flat[1]);
  if (port === null || port < 0 || port > 65535) throw new ConfigError('Invalid master port');
  return `${flat[0]} ${port}`;
}

function normalizeSpecial(d: Directive, args: string[], base: string): string {
  if (d.name === 'client-output-buffer-limit') {
    const flat = args.flatMap((a) => a.split(' ')).filter(Boolean);
    if (flat.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
    const classes = new Map<string, string>();
    for (let j = 0; j < flat.length; j += 4) {
      const cls = flat[j].toLowerCase() === 'replica' ? 'slave' : flat[j].toLowerCase();
      if (!['normal', 'slave', 'pubsub'].includes(cls)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
      const hard = parseMemory(flat[j + 1]);
      const soft = parseMemory(flat[j + 2]);
      const secs = parseIntStrict(flat[j + 3]);
      if (hard === null || soft === null || secs === null) throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      classes.set(cls, `${cls} ${hard} ${soft} ${secs}`);
    }
    // Classes not named keep their current limits.
    const cur = new Map(base.match(/\S+ \S+ \S+ \S+/g)!.map((g) => [g.split(' ')[0], g] as [string, string]));
    for (const [k, v] of classes) cur.set(k, v);
    return ['normal', 'slave', 'pubsub'].map((k) => cur.get(k)).join(' ');
  }
  return args.join(' ');
}

export interface ConfigSource {
  /** Where the line came from, for error messages. */
  file: string;
  line: number;
  text: string;
}

/** A parsed configuration: canonical string values keyed by primary directive name. */
export class Config {
  readonly values = new Map<string, string>();
  /** Directives given explicitly (CONFIG REWRITE writes these). */
  readonly explicit = new Set<string>();
  /** `rename-command OLD NEW` pairs in order. */
  readonly renames: [string, string][] = [];
  /** `user NAME RULES...` lines, in order (the ACL module loads them at startup). */
  readonly userLines: string[][] = [];
  /**
   * Options outside the directive table that CONFIG REWRITE writes, by name: their current lines in full
   * (the ACL module's `user` lines). Written after the directives, as Redis does.
   */
  readonly rewriteExtras = new Map<string, () => string[]>();
  /** `sentinel ...` lines, kept verbatim for Sentinel mode. */
  readonly sentinelLines: string[][] = [];
  /** Where each of sentinelLines came from (line number and text), for Sentinel's fatal errors. */
  readonly sentinelSources: { line: number; text: string }[] = [];
  configFile: string | null = null;
  sentinelMode = false;
  private listeners = new Map<string, ((value: string) => void)[]>();

  constructor() {
    for (const d of DIRECTIVES) this.values.set(d.name, d.default);
  }

  get(name: string): string {
    const d = findDirective(name);
    if (!d) throw new Error(`unknown config ${name}`);
    return this.values.get(d.name) as string;
  }
  int(name: string): number { return Number(this.get(name)); }
  bool(name: string): boolean { return this.get(name) === 'yes'; }

  /** Validates and sets; throws ConfigError with Redis's wording. */
  set(name: string, args: string[]): void {
    const d = findDirective(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    const v = normalizeValue(d, args, this.values.get(d.name));
    this.values.set(d.name, v);
    this.explicit.add(d.name);
    for (const fn of this.listeners.get(d.name) ?? []) fn(v);
  }

  /** Runs fn when CONFIG SET (or a later load) changes the directive. */
  onChange(name: string, fn: (value: string) => void): void {
    const d = findDirective(name);
    if (!d) throw new Error(`unknown config ${name}`);
    const list = this.listeners.get(d.name) ?? [];
    list.push(fn);
    this.listeners.set(d.name, list);
  }

  /** Loads redis.conf text; `file` names it in errors; includes are resolved relative to cwd like Redis. */
  loadText(text: string, file: string): void {
    const lines = text.split('\n');
    // A file's first `save` line replaces the default; later ones add save points (Redis 7).
    let savedOnce = false;
    for (let n = 0; n < lines.length; n++) {
      const raw = lines[n].replace(/\r$/, '');
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const argv = splitArgs(Buffer.from(trimmed));
      const fail = (msg: string): never => {
        throw new ConfigError(`\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line ${n + 1}\n>>> '${trimmed}'\n${msg}`);
      };
      if (argv === null) fail('Unbalanced quotes in configuration line');
      const args = (argv as Buffer[]).map((a) => a.toString());
      const name = args[0].toLowerCase();
      const rest = args.slice(1);
      if (name === 'include') {
        if (rest.length !== 1) fail('wrong number of arguments');
        this.loadFile(rest[0]);
        continue;
      }
      if (name === 'rename-command') {
        if (rest.length !== 2) fail('wrong number of arguments');
        this.renames.push([rest[0].toLowerCase(), rest[1].toLowerCase()]);
        continue;
      }
      if (name === 'sentinel') {
        if (!this.sentinelMode) fail('sentinel directive while not in sentinel mode');
        this.sentinelLines.push(rest);
        this.sentinelSources.push({ line: n + 1, text: trimmed });
        continue;
      }
      if (name === 'user' && rest.length >= 1) {
        const err = checkUserLine(rest, this.userLines);
        if (err) fail(`Error in user declaration '${rest[0]}': ${err}`);
        this.userLines.push(rest);
        continue;
      }
      if (name === 'loadmodule') fail(`${name} is not supported by the kvctl engine`);
      const d = findDirective(name);
      if (!d) fail('Bad directive or wrong number of arguments');
      try {
        if (d?.type === 'save') {
          const prev = savedOnce ? this.values.get('save') : '';
          savedOnce = true;
          const more = rest.flatMap((a) => a.split(' ')).filter(Boolean);
          this.set(name, prev && more.length > 0 ? [prev, ...rest] : rest);
          continue;
        }
        this.set(name, rest);
      } catch (e) {
        fail((e as Error).message);
      }
    }
    void file;
  }

  loadFile(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`Fatal error, can't open config file '${file}': ${describeFsError(e)}`);
    }
    this.loadText(text, file);
  }

  /** CONFIG GET: [name, value] pairs for every directive (and alias) matching the glob. */
  getMatching(pattern: string, match: (pattern: string, name: string) => boolean): [string, string][] {
    const out: [string, string][] = [];
    for (const d of DIRECTIVES) {
      for (const name of [d.name, ...(d.aliases ?? [])]) {
        if (!d.hidden && match(pattern, name)) out.push([name, this.values.get(d.name) as string]);
      }
    }
    return out;
  }
}

/** What Redis checks of a `user` line while reading the file (the rules themselves are applied at startup). */
function checkUserLine(args: string[], seen: string[][]): string | null {
  if (seen.some((l) => l[0] === args[0])) return 'Duplicate user found. A user can only be defined once in config files';
  let open = false;
  for (const a of args.slice(1)) {
    if (!open && a.startsWith('(') && !a.endsWith(')')) open = true;
    else if (open && a.endsWith(')')) open = false;
  }
  return open ? 'Unknown command or category name in ACL' : null;
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}

/** Quotes an argument like Redis's sdscatrepr (command-line config lines, CONFIG REWRITE). */
export function repr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 32 || c === 127) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export interface ParsedArgs {
  configFile: string | null;
  sentinel: boolean;
  /** The `--name value...` options rendered as config lines, as Redis does. */
  optionsText: string;
  version: boolean;
  help: boolean;
}

/** Splits redis-server style argv: [configfile] [--directive args...]... */
export function parseServerArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { configFile: null, sentinel: false, optionsText: '', version: false, help: false };
  let j = 0;
  if (argv[0] === '-v' || argv[0] === '--version') return { ...out, version: true };
  if (argv[0] === '-h' || argv[0] === '--help') return { ...out, help: true };
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    out.configFile = argv[0];
    j = 1;
  }
  const lines: string[] = [];
  let cur: string[] | null = null;
  for (; j < argv.length; j++) {
    const a = argv[j];
    if (a === '--sentinel') {
      out.sentinel = true;
      continue;
    }
    if (a.startsWith('--') && a.length > 2 && !/^--?\d/.test(a)) {
      if (cur) lines.push(cur.join(' '));
      cur = [a.slice(2)];
    } else if (cur) {
      cur.push(repr(a));
    }
  }
  if (cur) lines.push(cur.join(' '));
  out.optionsText = lines.join('\n');
  return out;
}

/** Builds the server's Config from argv exactly as redis-server would (file, then options). */
export function loadServerConfig(argv: string[]): Config {
  const parsed = parseServerArgs(argv);
  const cfg = new Config();
  cfg.sentinelMode = parsed.sentinel;
  let text = '';
  if (parsed.configFile) {
    cfg.configFile = path.resolve(parsed.configFile);
    try {
      text = readFileSync(parsed.configFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`Fatal error, can't open config file '${parsed.configFile}': ${describeFsError(e)}`);
    }
  }
  // Redis appends the options after a newline, so they start on the line after the file's last one.
  cfg.loadText(text + '\n' + parsed.optionsText, parsed.configFile ?? '(command line)');
  return cfg;
}
