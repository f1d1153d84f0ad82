// An ACL user: on/off, passwords (SHA-256, as Redis stores them), nopass, the payload-sanitizing flag,
// a root selector and `(...)` selectors. setRules() applies SETUSER modifiers; describe() gives them back
// as ACL LIST / ACL SAVE write them.
import { createHash, timingSafeEqual } from '../util/crypto.cjs';
import { ACL_OK, DENIED_CMD, Selector, SEL_ALLCHANNELS, SEL_ALLCOMMANDS, SEL_ALLKEYS, type CheckResult, type RuleError } from './selector.js';
import type { AclCommand } from './universe.js';

export const sha256Hex = (pass: Buffer | string): string => createHash('sha256').update(pass).digest('hex');

/** `>pass` / `<pass` hash the clear text; `#hash` / `!hash` must already be a lower-case hex SHA-256. */
function passwordHash(op: string): string | null {
  if (op[0] === '>' || op[0] === '<') return sha256Hex(Buffer.from(op.slice(1), 'latin1'));
  const hash = op.slice(1);
  return /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}

export class User {
  enabled = false;
  nopass = false;
  sanitize: 'none' | 'sanitize' | 'skip' = 'none';
  /** Lower-case hex SHA-256 digests, in the order they were added. */
  passwords: string[] = [];
  root: Selector;
  selectors: Selector[] = [];
  /**
   * On, with every command, key and channel in its root selector: permission checks can be skipped
   * entirely (the default user's usual state; kept up to date by refresh()).
   */
  unrestricted = false;

  constructor(readonly name: string, private readonly allChannelsByDefault: boolean) {
    this.root = new Selector(allChannelsByDefault);
  }

  clone(name = this.name): User {
    const u = new User(name, this.allChannelsByDefault);
    u.copyFrom(this);
    return u;
  }

  copyFrom(o: User): void {
    this.enabled = o.enabled;
    this.nopass = o.nopass;
    this.sanitize = o.sanitize;
    this.passwords = [...o.passwords];
    this.root = o.root.clone();
    this.selectors = o.selectors.map((s) => s.clone());
    this.refresh();
  }

  refresh(): void {
    const r = this.root;
    this.unrestricted = (r.flags & (SEL_ALLCOMMANDS | SEL_ALLKEYS | SEL_ALLCHANNELS)) === (SEL_ALLCOMMANDS | SEL_ALLKEYS | SEL_ALLCHANNELS);
  }

  /** Applies one SETUSER modifier (a `(...)` selector included); null on success. */
  apply(op: string): RuleError | null {
    const lower = op.toLowerCase();
    if (lower === 'on') this.enabled = true;
    else if (lower === 'off') this.enabled = false;
    else if (lower === 'skip-sanitize-payload') this.sanitize = 'skip';
    else if (lower === 'sanitize-payload') this.sanitize = 'sanitize';
    else if (lower === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (lower === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      const hash = passwordHash(op);
      if (hash === null) return 'EBADMSG';
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      const hash = passwordHash(op);
      if (hash === null) return 'EBADMSG';
      const i = this.passwords.indexOf(hash);
      if (i < 0) return 'ENODEV';
      this.passwords.splice(i, 1);
    } else if (lower === 'clearselectors') {
      this.selectors = [];
    } else if (lower === 'reset') {
      this.passwords = [];
      this.nopass = false;
      this.root.apply('resetkeys');
      this.root.apply('resetchannels');
      if (this.allChannelsByDefault) this.root.apply('allchannels');
      this.enabled = false;
      this.sanitize = 'sanitize';
      this.selectors = [];
      this.root.apply('-@all');
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const sel = new Selector(this.allChannelsByDefault);
      for (const part of op.slice(1, -1).split(' ')) {
        if (part === '') continue;
        const err = sel.apply(part);
        if (err) return err;
      }
      this.selectors.push(sel);
    } else {
      const err = this.root.apply(op);
      if (err) return err;
    }
    this.refresh();
    return null;
  }

  /** Whether `pass` logs this user in (nopass accepts anything). */
  checkPassword(pass: Buffer): boolean {
    if (this.nopass) return true;
    const h = Buffer.from(sha256Hex(pass));
    let ok = false;
    for (const p of this.passwords) if (timingSafeEqual(Buffer.from(p), h)) ok = true;
    return ok;
  }

  /** Redis's ACLCheckAllUserCommandPerm: any selector that allows it wins, else the most relevant refusal. */
  check(cmd: AclCommand, argv: Buffer[]): CheckResult {
    let worst: CheckResult = { code: DENIED_CMD, pos: 0 };
    for (const s of [this.root, ...this.selectors]) {
      const r = s.check(cmd, argv);
      if (r.code === ACL_OK) return r;
      if (r.code > worst.code || (r.code === worst.code && r.pos > worst.pos)) worst = r;
    }
    return worst;
  }

  /** Whether any selector lets the user use a channel (pub/sub clients are killed when none does). */
  channelAllowed(channel: Buffer, isPattern: boolean): boolean {
    return [this.root, ...this.selectors].some((s) => s.channelAllowed(channel, isPattern));
  }

  /** Flags as GETUSER lists them. */
  flagNames(): string[] {
    const out = [this.enabled ? 'on' : 'off'];
    if (this.nopass) out.push('nopass');
    if (this.sanitize === 'skip') out.push('skip-sanitize-payload');
    if (this.sanitize === 'sanitize') out.push('sanitize-payload');
    return out;
  }

  /** The rules after `user <name>` in ACL LIST and the ACL file. */
  describe(): string {
    const parts = [...this.flagNames(), ...this.passwords.map((p) => `#${p}`), this.root.describe()];
    for (const s of this.selectors) parts.push(`(${s.describe()})`);
    return parts.join(' ');
  }
}

/**
 * Joins arguments that open a `(` selector with the following ones up to the one closing it
 * (Redis's ACLMergeSelectorArguments); a string is the argument whose selector never closes.
 */
export function mergeSelectorArgs(args: string[]): string[] | { unmatched: string } {
  const out: string[] = [];
  let open: string | null = null;
  let start = '';
  for (const a of args) {
    if (open !== null) {
      open += ' ' + a;
      if (a.endsWith(')')) {
        out.push(open);
        open = null;
      }
    } else if (a.startsWith('(') && !a.endsWith(')')) {
      open = a;
      start = a;
    } else out.push(a);
  }
  if (open !== null) return { unmatched: start };
  return out;
}
