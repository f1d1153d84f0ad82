// The server's ACL state: users by name (the default user always exists), the ACL log, and what
// changes to users do to connected clients (a deleted user's clients are closed; pub/sub clients
// lose their connection when a change revokes a channel they listen to).
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { keyBuf } from '../store/types.js';
import { clientInfoLine } from '../commands/client.js';
import { AclLog, type LogContext, type LogReason } from './log.js';
import { RULE_ERRORS, SEL_ALLCHANNELS } from './selector.js';
import { mergeSelectorArgs, User } from './user.js';

export const NO_SUCH_USER_PAIR = 'WRONGPASS invalid username-password pair or user is disabled.';

export class AclRegistry {
  readonly users = new Map<string, User>();
  readonly log = new AclLog();
  readonly defaultUser: User;

  constructor(private readonly srv: Server) {
    this.defaultUser = this.createUser('default');
    this.resetDefaultUser();
    this.applyRequirePass(srv.config.get('requirepass'));
  }

  get allChannelsByDefault(): boolean {
    return this.srv.config.get('acl-pubsub-default') === 'allchannels';
  }

  /** A fresh user as Redis creates one: off, no passwords, no commands, no keys, default channels. */
  newUser(name: string): User {
    return new User(name, this.allChannelsByDefault);
  }

  private createUser(name: string): User {
    const u = this.newUser(name);
    this.users.set(name, u);
    return u;
  }

  /** The default user of a fresh start: on, nopass, ~* &* +@all. */
  resetDefaultUser(): void {
    const u = this.newUser('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(op);
    this.defaultUser.copyFrom(u);
  }

  /** requirepass is the default user's password (empty: nopass), as Redis's requirepass. */
  applyRequirePass(pass: string): void {
    this.defaultUser.apply('resetpass');
    this.defaultUser.apply(pass === '' ? 'nopass' : `>${pass}`);
  }

  /** Whether a new connection must authenticate (the default user has a password or is off). */
  get authRequired(): boolean {
    return !this.defaultUser.nopass || !this.defaultUser.enabled;
  }

  /**
   * Builds the user from `base` (or a fresh one) plus the rules, all or nothing; returns the error
   * text (without ERR) or the new user. `ctx` prefixes rule errors as SETUSER or a config line does.
   */
  static stage(base: User, rules: string[]): User | string {
    const merged = mergeSelectorArgs(rules);
    if (!Array.isArray(merged)) return `Unmatched parenthesis in acl selector starting at '${merged.unmatched}'.`;
    const temp = base.clone();
    for (const op of merged) {
      const err = temp.apply(op);
      if (err) return `Error in ACL SETUSER modifier '${op.split('\0')[0]}': ${RULE_ERRORS[err]}`;
    }
    return temp;
  }

  /** ACL SETUSER: null on success, else the error text. */
  setUser(name: string, rules: string[], caller: Client | null = null): string | null {
    if (/[\s\0]/.test(name)) return "Usernames can't contain spaces or null characters";
    const existing = this.users.get(name);
    const staged = AclRegistry.stage(existing ?? this.newUser(name), rules);
    if (typeof staged === 'string') return staged;
    if (existing) {
      this.killPubsubClientsIfNeeded(existing, staged, caller);
      existing.copyFrom(staged);
    } else this.users.set(name, staged);
    return null;
  }

  /** ACL DELUSER: removes the users and closes their connections; returns how many existed. */
  deleteUsers(names: string[], caller: Client): number | string {
    if (names.includes('default')) return "The 'default' user cannot be removed";
    let n = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (!u) continue;
      this.users.delete(name);
      this.killClientsOf(u, caller);
      n++;
    }
    return n;
  }

  clientsOf(u: User): Client[] {
    return [...this.srv.clients.values()].filter((c) => (c.aclUser ?? this.defaultUser) === u && !c.isMaster);
  }

  /** Closes a user's clients; the caller itself is closed once its reply is written. */
  killClientsOf(u: User, caller: Client | null): void {
    for (const c of this.clientsOf(u)) {
      if (c === caller) c.closeAfterReply = true;
      else this.srv.closeClient(c);
    }
  }

  /** Pub/sub clients of `old` listening to something `next` no longer allows are disconnected (Redis 7.0). */
  private killPubsubClientsIfNeeded(old: User, next: User, caller: Client | null): void {
    if ([next.root, ...next.selectors].some((s) => (s.flags & SEL_ALLCHANNELS) !== 0)) return;
    for (const c of this.clientsOf(old)) {
      const denied =
        [...c.channels].some((ch) => !next.channelAllowed(keyBuf(ch), false)) ||
        [...c.shardChannels].some((ch) => !next.channelAllowed(keyBuf(ch), false)) ||
        [...c.patterns].some((p) => !next.channelAllowed(keyBuf(p), true));
      if (denied) {
        if (c === caller) c.closeAfterReply = true;
        else this.srv.closeClient(c);
      }
    }
  }

  /** AUTH / HELLO AUTH: binds the client to the user when the password matches and the user is on. */
  /** `via`: the command as the client spelled it (AUTH, hello...), which ACL LOG names. */
  authenticate(c: Client, name: string, pass: Buffer, via: string): boolean {
    const u = this.users.get(name);
    if (u && u.enabled && u.checkPassword(pass)) {
      c.aclUser = u;
      c.user = name;
      c.authenticated = true;
      c.parser.limits.unauthenticated = false;
      return true;
    }
    this.addLog(c, 'auth', 'toplevel', via, via.toLowerCase(), name);
    return false;
  }

  /** `current`: the command the client info line names (the refused one). */
  addLog(c: Client, reason: LogReason, context: LogContext, object: string, current: string, username = c.user): void {
    this.log.add(
      { reason, context, object, username, clientInfo: clientInfoLine(this.srv, c, c, current) },
      this.srv.config.int('acllog-max-len'),
      Date.now(),
    );
  }

  /** Users by name, as ACL LIST / USERS / SAVE order them. */
  sortedUsers(): User[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Replaces every user (ACL LOAD / startup): the default user object is kept and updated in place. */
  replaceAll(users: User[]): void {
    const olds = [...this.users.values()];
    const def = users.find((u) => u.name === 'default');
    this.users.clear();
    this.users.set('default', this.defaultUser);
    if (def) this.defaultUser.copyFrom(def);
    else this.resetDefaultUser();
    for (const u of users) if (u.name !== 'default') this.users.set(u.name, u);
    for (const o of olds) if (o !== this.defaultUser) this.killClientsOf(o, null);
  }
}

const registries = new WeakMap<Server, AclRegistry>();

export function aclOf(srv: Server): AclRegistry {
  let r = registries.get(srv);
  if (!r) registries.set(srv, (r = new AclRegistry(srv)));
  return r;
}
