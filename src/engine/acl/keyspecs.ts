// Key specs from the command facts, and the keys (with what they do to them) a command line touches:
// what ACL key permissions (%R~ / %W~) are checked against. ACCESS needs read permission; INSERT,
// DELETE and UPDATE need write permission (a key spec without any of those, as EXISTS's, needs none
// of the two, only a matching pattern). SET and BITFIELD (variable flags), SORT and MIGRATE
// (incomplete specs) are worked out from their arguments as Redis's getkeys procedures do.
import type { FactNode } from '../commands/generated/command-facts.js';

export const KS_ACCESS = 1;
export const KS_WRITE = 2; // INSERT | DELETE | UPDATE
export const KS_NOT_KEY = 4;
export const KS_INCOMPLETE = 8;

type Begin = { kind: 'index'; index: number } | { kind: 'keyword'; keyword: string; startfrom: number } | { kind: 'unknown' };
type Find = { kind: 'range'; lastkey: number; keystep: number; limit: number } | { kind: 'keynum'; keynumidx: number; firstkey: number; keystep: number } | { kind: 'unknown' };

export interface KeySpec {
  flags: number;
  begin: Begin;
  find: Find;
}

/** One key a command line touches: its argv position and whether reading / writing it needs permission. */
export interface KeyRef {
  pos: number;
  read: boolean;
  write: boolean;
}

function mapOf(n: FactNode | undefined): Map<string, FactNode> {
  const out = new Map<string, FactNode>();
  const v = n && typeof n === 'object' ? n.v : [];
  for (let i = 0; i + 1 < v.length; i += 2) out.set(String(v[i]), v[i + 1]);
  return out;
}

export function parseKeySpecs(node: FactNode | undefined): KeySpec[] {
  const specs: KeySpec[] = [];
  for (const s of node && typeof node === 'object' ? node.v : []) {
    const m = mapOf(s);
    let flags = 0;
    const fl = m.get('flags');
    for (const f of fl && typeof fl === 'object' ? fl.v : []) {
      const name = f && typeof f === 'object' ? String(f.v[0]) : String(f);
      if (name === 'access') flags |= KS_ACCESS;
      else if (name === 'insert' || name === 'delete' || name === 'update') flags |= KS_WRITE;
      else if (name === 'not_key') flags |= KS_NOT_KEY;
      else if (name === 'incomplete') flags |= KS_INCOMPLETE;
    }
    const bs = mapOf(m.get('begin_search'));
    const bspec = mapOf(bs.get('spec'));
    let begin: Begin = { kind: 'unknown' };
    if (bs.get('type') === 'index') begin = { kind: 'index', index: Number(bspec.get('index')) };
    else if (bs.get('type') === 'keyword') begin = { kind: 'keyword', keyword: String(bspec.get('keyword')).toLowerCase(), startfrom: Number(bspec.get('startfrom')) };
    const fk = mapOf(m.get('find_keys'));
    const fspec = mapOf(fk.get('spec'));
    let find: Find = { kind: 'unknown' };
    if (fk.get('type') === 'range') find = { kind: 'range', lastkey: Number(fspec.get('lastkey')), keystep: Number(fspec.get('keystep')), limit: Number(fspec.get('limit')) };
    else if (fk.get('type') === 'keynum') find = { kind: 'keynum', keynumidx: Number(fspec.get('keynumidx')), firstkey: Number(fspec.get('firstkey')), keystep: Number(fspec.get('keystep')) };
    specs.push({ flags, begin, find });
  }
  return specs;
}

const lc = (b: Buffer): string => b.latin1Slice(0, b.length).toLowerCase();
const ref = (pos: number, flags: number): KeyRef => ({ pos, read: (flags & KS_ACCESS) !== 0, write: (flags & KS_WRITE) !== 0 });

/** Keys by the specs alone (Redis's getKeysUsingKeySpecs), not-key specs skipped. */
function keysFromSpecs(specs: KeySpec[], argv: Buffer[]): KeyRef[] {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const spec of specs) {
    if (spec.flags & KS_NOT_KEY) continue;
    let first: number;
    if (spec.begin.kind === 'index') first = spec.begin.index;
    else if (spec.begin.kind === 'keyword') {
      const { keyword, startfrom } = spec.begin;
      const start = startfrom > 0 ? startfrom : argc + startfrom;
      const end = startfrom > 0 ? argc - 1 : 1;
      const step = startfrom > 0 ? 1 : -1;
      first = 0;
      for (let i = start; step > 0 ? i <= end : i >= end; i += step) {
        if (i <= 0 || i >= argc) break;
        if (lc(argv[i]) === keyword) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else continue;
    let last: number;
    let step: number;
    const f = spec.find;
    if (f.kind === 'range') {
      step = f.keystep;
      if (f.lastkey >= 0) last = first + f.lastkey;
      else if (f.limit <= 1) last = argc + f.lastkey;
      else last = first + Math.floor((argc - first) / f.limit) + f.lastkey;
    } else if (f.kind === 'keynum') {
      step = f.keystep;
      const idx = first + f.keynumidx;
      if (idx >= argc) continue;
      const n = Number(argv[idx].latin1Slice(0, argv[idx].length));
      // A bad key count makes the whole line keyless (Redis falls back to getkeys procs that give up).
      if (!Number.isInteger(n) || n <= 0 || first + f.firstkey + (n - 1) * step >= argc) return [];
      first += f.firstkey;
      last = first + (n - 1) * step;
    } else continue;
    for (let i = first; i <= last && i < argc; i += step || 1) out.push(ref(i, spec.flags));
  }
  return out;
}

/** SORT / SORT_RO: the key, and a STORE destination (written). */
function sortKeys(argv: Buffer[]): KeyRef[] {
  const out: KeyRef[] = [ref(1, KS_ACCESS)];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = lc(argv[i]);
    if (a === 'limit') i += 2;
    else if (a === 'get' || a === 'by') i += 1;
    else if (a === 'store' && i + 1 < argv.length) {
      store = i + 1;
      i += 1;
    }
  }
  if (store > 0) out.push(ref(store, KS_WRITE));
  return out;
}

/** MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 u pw] [KEYS k...]. */
function migrateKeys(argv: Buffer[]): KeyRef[] {
  const flags = KS_ACCESS | KS_WRITE;
  if (argv.length > 6 && argv[3].length === 0) {
    for (let i = 6; i < argv.length; i++) {
      const a = lc(argv[i]);
      if (a === 'auth') i += 1;
      else if (a === 'auth2') i += 2;
      else if (a === 'keys') {
        const out: KeyRef[] = [];
        for (let j = i + 1; j < argv.length; j++) out.push(ref(j, flags));
        return out;
      }
    }
    return [];
  }
  return [ref(3, flags)];
}

/** BITFIELD is read-only while it only has GET (and OVERFLOW) operations. */
function bitfieldReadOnly(argv: Buffer[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const a = lc(argv[i]);
    if (a === 'get' && rem >= 2) i += 2;
    else if (a === 'overflow' && rem >= 1) i += 1;
    else return false;
  }
  return true;
}

/** The keys a command line touches, with the permission each needs. */
export function keyRefs(name: string, specs: KeySpec[], argv: Buffer[]): KeyRef[] {
  switch (name) {
    case 'set': {
      let get = false;
      for (let i = 3; i < argv.length; i++) if (lc(argv[i]) === 'get') get = true;
      return [ref(1, get ? KS_ACCESS | KS_WRITE : KS_WRITE)];
    }
    case 'bitfield':
      return [ref(1, bitfieldReadOnly(argv) ? KS_ACCESS : KS_ACCESS | KS_WRITE)];
    case 'sort':
    case 'sort_ro':
      return sortKeys(argv);
    case 'migrate':
      return migrateKeys(argv);
    default:
      return keysFromSpecs(specs, argv);
  }
}
