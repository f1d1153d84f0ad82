// `auth.users` in a topology: ACL users rendered as redis.conf `user` lines on every data node.
// A user entry is a name, its password(s) (or nopass), whether it is enabled (default yes), and ACL
// rules as Redis takes them (`~app:* +@all -@dangerous`). Rules are checked with the engine's own
// ACL parser, so a typo is reported at load time with Redis's message instead of a node that won't start.
import { User } from '../../engine/acl/user.js';
import { RULE_ERRORS } from '../../engine/acl/selector.js';
import type { Issue } from './types.js';

export interface RawAclUser {
  name: string;
  password?: string;
  passwords?: string[];
  nopass?: boolean;
  enabled?: boolean;
  rules?: string | string[];
}

export interface AclUserSpec {
  name: string;
  /** The `user` line's arguments after the name, in order. */
  rules: string[];
}

export const aclUserSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[^\\s]+$' },
    password: { type: 'string', minLength: 1 },
    passwords: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    nopass: { type: 'boolean' },
    enabled: { type: 'boolean' },
    rules: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', minLength: 1 } }] },
  },
} as const;

export function toAclUser(raw: RawAclUser): AclUserSpec {
  const rules = [raw.enabled === false ? 'off' : 'on'];
  for (const p of [...(raw.password ? [raw.password] : []), ...(raw.passwords ?? [])]) rules.push(`>${p}`);
  if (raw.nopass) rules.push('nopass');
  const extra = typeof raw.rules === 'string' ? raw.rules.split(/\s+/).filter(Boolean) : raw.rules ?? [];
  return { name: raw.name, rules: [...rules, ...extra] };
}

/** Problems with the users: bad rules (Redis's text), duplicates, a masteruser nobody declares. */
export function checkAclUsers(users: AclUserSpec[], masteruser: string | undefined, masterauth: string | undefined): Issue[] {
  const issues: Issue[] = [];
  users.forEach((u, i) => {
    if (users.findIndex((o) => o.name === u.name) !== i) issues.push({ path: ['auth', 'users', i, 'name'], message: `user '${u.name}' is declared twice` });
    const user = new User(u.name, false);
    for (const op of u.rules) {
      const err = user.apply(op);
      if (err) issues.push({ path: ['auth', 'users', i, 'rules'], message: `rule '${op.startsWith('>') ? '>***' : op}' of user '${u.name}': ${RULE_ERRORS[err]}` });
    }
    if (u.name === 'default' && !user.enabled) {
      issues.push({ path: ['auth', 'users', i, 'enabled'], message: "the default user must stay enabled: kvctl logs in to the nodes as the default user (with auth.requirepass)" });
    }
  });
  if (masteruser !== undefined) {
    if (!users.some((u) => u.name === masteruser)) {
      issues.push({ path: ['auth', 'masteruser'], message: `'${masteruser}' is not one of auth.users (allowed: ${users.map((u) => u.name).join(', ') || 'declare it under auth.users'})` });
    }
    if (!masterauth) issues.push({ path: ['auth', 'masteruser'], message: 'masteruser needs auth.masterauth (its password)' });
  }
  return issues;
}
