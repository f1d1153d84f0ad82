// Normalizers for ACL differential tests. Redis lists single-command rules (`+get -set`) and the
// commands of ACL CAT in its command dict's hash order, which changes from process to process, so
// those runs are compared as sorted; ACL LOG's age and the client's byte counters are timing.
import type { Reply } from '../helpers/resp.js';

const SINGLE_RULES = /(?:[+-][^@\s()"]+ )*[+-][^@\s()"]+/g;

/** Sorts each run of single-command rules inside a rules string. */
export function sortRuleRuns(s: string): string {
  return s.replace(SINGLE_RULES, (run) => run.split(' ').sort().join(' '));
}

const CLIENT_INFO_KEEP = /\b(flags|db|multi|cmd|user|resp)=\S*/g;

function isVolatileKey(k: Reply | undefined): boolean {
  return k !== undefined && k.t === 'bulk' && (k.v === 'age-seconds' || k.v === 'id');
}

/** Applies sortRuleRuns to every string, keeps client-info fields that mean something, drops ages. */
export function normalizeAcl(r: Reply): Reply {
  switch (r.t) {
    case 'bulk':
    case 'simple':
    case 'verbatim':
      if (r.v === null) return r;
      if (/^id=\d+ addr=/.test(r.v)) return { ...r, v: (r.v.match(CLIENT_INFO_KEEP) ?? []).join(' ') };
      return { ...r, v: sortRuleRuns(r.v) };
    case 'double':
      return { t: 'double', v: 'age' };
    case 'array':
    case 'set':
    case 'push':
      if (r.v === null) return r;
      // Flat RESP2 maps: the value after age-seconds (timing) or id (connection counters) is dropped.
      return { ...r, v: r.v.map((x, i) => (i > 0 && isVolatileKey(r.v?.[i - 1]) ? { t: 'null' } : normalizeAcl(x))) };
    case 'map':
      return { t: 'map', v: r.v.map(([k, v]) => [normalizeAcl(k), isVolatileKey(k) ? { t: 'null' } : normalizeAcl(v)]) };
    default:
      return r;
  }
}
