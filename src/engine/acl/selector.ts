// One ACL selector: which commands (a bitmap over every command Redis knows, plus first-argument
// exceptions such as +select|0), which keys (patterns with read/write permissions) and which pub/sub
// channels it allows. A user is a root selector plus any number of `(...)` selectors.
import { globMatch } from '../util/glob.js';
import { CATEGORIES, categoryIndex, commandUniverse, type AclCommand } from './universe.js';
import { keyRefs } from './keyspecs.js';

export const SEL_ALLKEYS = 1;
export const SEL_ALLCHANNELS = 2;
export const SEL_ALLCOMMANDS = 4;

/** Why a rule was refused; the texts are Redis's (ACLSetUserStringError). */
export const RULE_ERRORS = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  EPERM: 'Allowing first-arg of a subcommand is not supported',
} as const;
export type RuleError = keyof typeof RULE_ERRORS;

/** ACL check outcomes, ordered as Redis ranks them when several selectors fail. */
export const ACL_OK = 0;
export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

export interface KeyPattern {
  text: string;
  bytes: Buffer;
  read: boolean;
  write: boolean;
}

export interface CheckResult {
  code: number;
  /** argv position of the refused key or channel. */
  pos: number;
}

const hasSpace = (s: string): boolean => /[\s\0]/.test(s);

export class Selector {
  flags = 0;
  allowed: Uint8Array;
  /** Command id -> allowed first arguments (lower-case), for commands without subcommands. */
  firstArgs = new Map<number, string[]>();
  keys: KeyPattern[] = [];
  channels: { text: string; bytes: Buffer }[] = [];

  constructor(allChannels: boolean) {
    this.allowed = new Uint8Array(commandUniverse().size + 1);
    if (allChannels) this.flags |= SEL_ALLCHANNELS;
  }

  clone(): Selector {
    const s = new Selector(false);
    s.flags = this.flags;
    s.allowed.set(this.allowed);
    for (const [id, list] of this.firstArgs) s.firstArgs.set(id, [...list]);
    s.keys = this.keys.map((k) => ({ ...k }));
    s.channels = [...this.channels];
    return s;
  }

  /** Sets or clears a command and its subcommands (Redis's ACLChangeSelectorPerm). */
  private change(cmd: AclCommand, allow: boolean): void {
    this.setBit(cmd.id, allow);
    this.firstArgs.delete(cmd.id);
    for (const sub of cmd.subs) this.setBit(sub.id, allow);
  }

  private setBit(id: number, on: boolean): void {
    this.allowed[id] = on ? 1 : 0;
    if (!on) this.flags &= ~SEL_ALLCOMMANDS;
  }

  private changeCategory(cat: number, allow: boolean): void {
    const mask = 1 << cat;
    for (const cmd of commandUniverse().top) {
      if (cmd.categories & mask) this.change(cmd, allow);
      for (const sub of cmd.subs) if (sub.categories & mask) this.change(sub, allow);
    }
  }

  /** Applies one selector rule; null on success. */
  apply(op: string): RuleError | null {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.flags |= SEL_ALLKEYS;
      this.keys = [];
    } else if (lower === 'resetkeys') {
      this.flags &= ~SEL_ALLKEYS;
      this.keys = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.flags |= SEL_ALLCHANNELS;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.flags &= ~SEL_ALLCHANNELS;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.allowed.fill(1);
      this.flags |= SEL_ALLCOMMANDS;
      this.firstArgs.clear();
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.fill(0);
      this.flags &= ~SEL_ALLCOMMANDS;
      this.firstArgs.clear();
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.flags & SEL_ALLCHANNELS) return 'EISDIR';
      const text = op.slice(1);
      if (hasSpace(text)) return 'EINVAL';
      if (!this.channels.some((c) => c.text === text)) this.channels.push({ text, bytes: Buffer.from(text, 'latin1') });
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const cat = categoryIndex(op.slice(2));
      if (cat < 0) return 'ENOENT';
      this.changeCategory(cat, op[0] === '+');
    } else if (op[0] === '+') {
      return this.allowCommand(op.slice(1));
    } else if (op[0] === '-') {
      const cmd = commandUniverse().lookup(op.slice(1));
      if (!cmd) return 'ENOENT';
      this.change(cmd, false);
    } else return 'EINVAL';
    return null;
  }

  private addKeyPattern(op: string): RuleError | null {
    if (this.flags & SEL_ALLKEYS) return 'EEXIST';
    let read = true;
    let write = true;
    let offset = 1;
    if (op[0] === '%') {
      read = write = false;
      let closed = false;
      for (; offset < op.length; offset++) {
        const ch = op[offset].toUpperCase();
        if (ch === 'R' && !read) read = true;
        else if (ch === 'W' && !write) write = true;
        else if (op[offset] === '~') {
          offset++;
          closed = true;
          break;
        } else return 'EINVAL';
      }
      if (!closed || (!read && !write)) return 'EINVAL';
    }
    const text = op.slice(offset);
    if (text === '*' && read && write) {
      this.flags |= SEL_ALLKEYS;
      this.keys = [];
      return null;
    }
    if (hasSpace(text)) return 'EINVAL';
    const same = this.keys.find((k) => k.text === text);
    if (same) {
      same.read ||= read;
      same.write ||= write;
    } else this.keys.push({ text, bytes: Buffer.from(text, 'latin1'), read, write });
    return null;
  }

  private allowCommand(name: string): RuleError | null {
    const u = commandUniverse();
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = u.lookup(name);
      if (!cmd) return 'ENOENT';
      this.change(cmd, true);
      return null;
    }
    const cmd = u.lookup(name.slice(0, bar));
    const sub = name.slice(bar + 1);
    if (!cmd) return 'ENOENT';
    if (cmd.parent) return 'EPERM';
    if (sub === '') return 'EINVAL';
    if (cmd.subs.length > 0) {
      const sc = u.lookup(name);
      if (!sc) return 'ENOENT';
      this.change(sc, true);
      return null;
    }
    // +select|0: a first argument allowed for an otherwise blocked command.
    const list = this.firstArgs.get(cmd.id) ?? [];
    const arg = sub.toLowerCase();
    if (!list.includes(arg)) list.push(arg);
    this.firstArgs.set(cmd.id, list);
    return null;
  }

  /** Whether +@all (and nothing since but category or command changes) set the "future commands" bit. */
  get futureCommands(): boolean {
    return this.allowed[commandUniverse().size] === 1;
  }

  /** The rules that rebuild this selector from scratch, in Redis's format (ACLDescribeSelector). */
  describe(): string {
    const parts: string[] = [];
    if (this.flags & SEL_ALLKEYS) parts.push('~*');
    else for (const k of this.keys) parts.push(`${k.read && k.write ? '' : k.read ? '%R' : '%W'}~${k.text}`);
    if (this.flags & SEL_ALLCHANNELS) parts.push('&*');
    else {
      parts.push('resetchannels');
      for (const c of this.channels) parts.push(`&${c.text}`);
    }
    parts.push(this.describeCommands());
    return parts.join(' ');
  }

  /** Key patterns as ACL GETUSER shows them. */
  describeKeys(): string {
    if (this.flags & SEL_ALLKEYS) return '~*';
    return this.keys.map((k) => `${k.read && k.write ? '' : k.read ? '%R' : '%W'}~${k.text}`).join(' ');
  }

  describeChannels(): string {
    if (this.flags & SEL_ALLCHANNELS) return '&*';
    return this.channels.map((c) => `&${c.text}`).join(' ');
  }

  /**
   * Command rules: +@all or -@all, then categories picked greedily (fewest commands that differ from
   * this selector, then most in common, while more agree than differ), then single commands to make
   * the bitmap exact, in the order of the command table.
   */
  describeCommands(): string {
    const u = commandUniverse();
    const additive = !this.futureCommands;
    const rules: string[] = [additive ? '-@all' : '+@all'];
    const fake = new Selector(false);
    fake.apply(additive ? '-@all' : '+@all');
    const temp = new Selector(false);
    temp.allowed.set(this.allowed);
    for (;;) {
      let best = -1;
      let minDiff = Infinity;
      let maxSame = 0;
      for (let j = 0; j < CATEGORIES.length; j++) {
        const { on, off } = temp.countCategory(j);
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = j;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best < 0) break;
      fake.changeCategory(best, additive);
      temp.changeCategory(best, !additive);
      rules.push(`${additive ? '+' : '-'}@${CATEGORIES[best]}`);
    }
    const fix = (cmd: AclCommand): void => {
      const want = this.allowed[cmd.id] === 1;
      if (want !== (fake.allowed[cmd.id] === 1)) {
        rules.push(`${want ? '+' : '-'}${cmd.name}`);
        fake.change(cmd, want);
      }
      if (!want) for (const arg of this.firstArgs.get(cmd.id) ?? []) rules.push(`+${cmd.name}|${arg}`);
    };
    for (const cmd of u.top) {
      fix(cmd);
      for (const sub of cmd.subs) fix(sub);
    }
    return rules.join(' ');
  }

  private countCategory(cat: number): { on: number; off: number } {
    const mask = 1 << cat;
    let on = 0;
    let off = 0;
    for (const cmd of commandUniverse().all) {
      if (!(cmd.categories & mask)) continue;
      if (this.allowed[cmd.id] === 1) on++;
      else off++;
    }
    return { on, off };
  }

  /** Redis's ACLSelectorCheckCmd: the command, then its keys, then its channels. */
  check(cmd: AclCommand, argv: Buffer[]): CheckResult {
    if (!(this.flags & SEL_ALLCOMMANDS) && !cmd.noAuth && this.allowed[cmd.id] !== 1) {
      const args = argv.length >= 2 ? this.firstArgs.get(cmd.id) : undefined;
      if (!args || !args.includes(argv[1].latin1Slice(0, argv[1].length).toLowerCase())) return { code: DENIED_CMD, pos: 0 };
    }
    if (!(this.flags & SEL_ALLKEYS) && cmd.specs.length > 0) {
      for (const k of keyRefs(cmd.name, cmd.specs, argv)) {
        if (!this.keyAllowed(argv[k.pos], k.read, k.write)) return { code: DENIED_KEY, pos: k.pos };
      }
    }
    if (!(this.flags & SEL_ALLCHANNELS)) {
      const ch = channelArgs(cmd.name, argv.length);
      if (ch) {
        for (let i = ch.first; i <= ch.last; i++) {
          if (!this.channelAllowed(argv[i], ch.pattern)) return { code: DENIED_CHANNEL, pos: i };
        }
      }
    }
    return { code: ACL_OK, pos: 0 };
  }

  keyAllowed(key: Buffer, read: boolean, write: boolean): boolean {
    if (this.flags & SEL_ALLKEYS) return true;
    for (const p of this.keys) {
      if ((read && !p.read) || (write && !p.write)) continue;
      if (globMatch(p.bytes, key)) return true;
    }
    return false;
  }

  /** Patterns (PSUBSCRIBE) must equal a listed pattern; channels are matched against the patterns. */
  channelAllowed(channel: Buffer, isPattern: boolean): boolean {
    if (this.flags & SEL_ALLCHANNELS) return true;
    for (const c of this.channels) {
      if (isPattern ? c.bytes.equals(channel) : globMatch(c.bytes, channel)) return true;
    }
    return false;
  }
}

/** The channel arguments ACLs check: PUBLISH/SPUBLISH's channel, (S|P)SUBSCRIBE's list. */
export function channelArgs(name: string, argc: number): { first: number; last: number; pattern: boolean } | null {
  switch (name) {
    case 'publish':
    case 'spublish':
      return { first: 1, last: 1, pattern: false };
    case 'subscribe':
    case 'ssubscribe':
      return { first: 1, last: argc - 1, pattern: false };
    case 'psubscribe':
      return { first: 1, last: argc - 1, pattern: true };
    default:
      return null;
  }
}
