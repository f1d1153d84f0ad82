// Installs ACLs into a server: the default user follows requirepass, new connections authenticate
// when the default user needs it, dispatch checks every command, and users come from redis.conf's
// `user` lines or the aclfile (both at once is refused, as Redis does).
import type { Server } from '../server.js';
import { aclOf } from './registry.js';
import { dispatchCheck, unrestrictedCheck } from './check.js';
import { loadAclFile, loadConfigUsers } from './file.js';

export function installAcl(srv: Server): void {
  const reg = aclOf(srv);
  srv.authRequired = () => reg.authRequired;
  srv.dispatch.aclCheck = dispatchCheck(srv);
  srv.dispatch.aclUnrestricted = unrestrictedCheck(srv);
  srv.config.onChange('requirepass', (v) => reg.applyRequirePass(v));
  // CONFIG REWRITE writes every user as a `user` line, unless they live in the aclfile (then ACL SAVE does).
  srv.config.rewriteExtras.set('user', () => (srv.config.get('aclfile') ? [] : reg.sortedUsers().map((u) => `user ${u.name} ${u.describe()}`)));
  const aclfile = srv.config.get('aclfile');
  const lines = srv.config.userLines;
  if (aclfile && lines.length > 0) {
    throw new Error('Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.');
  }
  if (lines.length > 0) {
    const err = loadConfigUsers(reg, lines);
    if (err) throw new Error(`${err}\nCritical error while loading ACLs. Exiting.`);
  } else if (aclfile) {
    const err = loadAclFile(reg, aclfile);
    if (err) throw new Error(`Aborting Redis startup because of ACL errors: ${err}`);
  }
}
