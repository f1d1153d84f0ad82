// Users from `user` lines in redis.conf and from the aclfile, and ACL SAVE. Errors carry Redis's texts
// (collected over the whole file; nothing changes when there is any).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AclRegistry } from './registry.js';
import { RULE_ERRORS } from './selector.js';
import { mergeSelectorArgs, type User } from './user.js';

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  return (e as Error).message;
}

/** Users from an ACL file's text, or Redis's error text for the whole file. */
export function parseAclFile(reg: AclRegistry, text: string, file: string): User[] | string {
  let errors = '';
  const users: User[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const n = i + 1;
    if (line === '') continue;
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${file}:${n} should start with user keyword followed by the username. `;
      continue;
    }
    if (/[\s\0]/.test(argv[1])) {
      errors += `'${file}:${n}: username '${argv[1]}' contains invalid characters. `;
      continue;
    }
    if (users.some((u) => u.name === argv[1])) {
      errors += `WARNING: Duplicate user '${argv[1]}' found on line ${n}. `;
      continue;
    }
    const u = reg.newUser(argv[1]);
    const merged = mergeSelectorArgs(argv.slice(2));
    if (!Array.isArray(merged)) {
      errors += `${file}:${n}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let ok = true;
    for (const op of merged) {
      const err = u.apply(op);
      if (err) {
        // Only unknown commands are named: other rules may be passwords.
        errors += err === 'ENOENT' ? `${file}:${n}: Error in applying operation '${op}': ${RULE_ERRORS[err]}. ` : `${file}:${n}: ${RULE_ERRORS[err]}. `;
        ok = false;
      }
    }
    if (ok) users.push(u);
  }
  if (errors) return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  return users;
}

/** ACL LOAD / startup from the aclfile: null when loaded, else the error text. */
export function loadAclFile(reg: AclRegistry, file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${file}': ${fsReason(e)}`;
  }
  const users = parseAclFile(reg, text, file);
  if (typeof users === 'string') return users;
  reg.replaceAll(users);
  return null;
}

/** ACL SAVE: every user as a `user` line, written to a temp file and renamed over the aclfile. */
export function saveAclFile(reg: AclRegistry, file: string): string | null {
  const text = reg.sortedUsers().map((u) => `user ${u.name} ${u.describe()}\n`).join('');
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, 'latin1');
    renameSync(tmp, file);
    return null;
  } catch (e) {
    return `Opening temp ACL file for ACL SAVE: ${fsReason(e)}`;
  }
}

/** `user` lines from redis.conf, applied at startup; null or the fatal error. */
export function loadConfigUsers(reg: AclRegistry, lines: string[][]): string | null {
  const users: User[] = [];
  for (const [name, ...rules] of lines) {
    const u = reg.newUser(name);
    if (name === 'default') u.apply('reset');
    const merged = mergeSelectorArgs(rules);
    for (const op of Array.isArray(merged) ? merged : []) {
      const err = u.apply(op);
      if (err) return `Error loading ACL rule '${op}' for the user named '${name}': ${RULE_ERRORS[err]}`;
    }
    users.push(u);
  }
  const def = users.find((u) => u.name === 'default');
  for (const u of users) if (u !== def) reg.users.set(u.name, u);
  if (def) reg.defaultUser.copyFrom(def);
  return null;
}
