// Issue 20: would a keyspace table of our own beat V8's Map? In-process, no server. Each case runs in a
// fresh node under the engine's flags (so one case's heap and JIT state cannot colour the next), the
// Map and own-table runs of a case alternate (the order flips each round), and the medians are
// printed with the GC time the case caused (PerformanceObserver 'gc' entries, inside the timed part).
//  (a) insert: N keys and values cut out of an RDB-like buffer as the loader does (Latin1Window);
//      the own table is pre-sized from a count hint (RESIZEDB) and hashes the key bytes at hand;
//  (b) GET-like lookups of existing keys arriving as bytes in a read buffer, in random order: the Map
//      needs a latin1 string per lookup (CommandArgs.key), the own table hashes and compares bytes;
//      against a table of N keys and one of 10k keys;
//  (c) SET-like overwrite and INCR-like get+set of existing keys, keys as bytes as in (b);
//  plus heapUsed / RSS after (a), after two full GCs. (a) is timed cold, as a restart runs it; (b) and
//  (c) after one untimed pass of the same work (a server's hot paths).
// Run: npx tsx bench/keyspace-table.ts [--rounds N] [--keys N] [--only case] [--impls map,slots,dense,keyspace]
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Keyspace } from '../src/engine/store/keyspace.js';
import { hashRange } from '../src/engine/store/member-table.js';
import { Latin1Window } from '../src/engine/persistence/latin1-window.js';
import { placePair, rehashPairs } from '../src/engine/store/pair-index.js';
import { ENGINE_NODE_FLAGS } from '../src/engine/v8-flags.cjs';
import { median } from './lib.js';

/** What the cases use of either prototype. No deletion: the bench does not measure it. */
interface KeyTable<V> {
  readonly size: number;
  /** Where the key whose bytes are b[s, e) (hash h) is, or -1. */
  find(h: number, b: Buffer, s: number, e: number): number;
  valueAt(p: number): V;
  setAt(p: number, v: V): void;
  /** Inserts key (bytes b[s, e), hash h, as the string key); false if it was there. */
  insert(h: number, b: Buffer, s: number, e: number, key: string, v: V): boolean;
}

/**
 * Prototype 1, "slots": open addressing with linear probing. hashes[p] holds the key's 32-bit hash
 * (0 = empty, so a hash of 0 is stored as 1); entries[2p] the key string, entries[2p + 1] its value
 * (one cache line for both). Capacity a power of two, at most 3/4 full.
 */
class SlotTable<V> implements KeyTable<V> {
  private hashes: Int32Array;
  private entries: (string | V | undefined)[];
  private mask: number;
  size = 0;

  constructor(hint = 8) {
    let cap = 8;
    while (cap * 3 < hint * 4) cap *= 2;
    this.hashes = new Int32Array(cap);
    this.entries = filled(cap * 2);
    this.mask = cap - 1;
  }

  find(h: number, b: Buffer, s: number, e: number): number {
    const hs = this.hashes;
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const x = hs[p];
      if (x === 0) return -1;
      if (x === h && sameRange(this.entries[2 * p] as string, b, s, e)) return p;
    }
  }

  valueAt(p: number): V {
    return this.entries[2 * p + 1] as V;
  }

  setAt(p: number, v: V): void {
    this.entries[2 * p + 1] = v;
  }

  insert(h: number, b: Buffer, s: number, e: number, key: string, v: V): boolean {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const hs = this.hashes;
    const mask = this.mask;
    let p = h & mask;
    for (; hs[p] !== 0; p = (p + 1) & mask) if (hs[p] === h && sameRange(this.entries[2 * p] as string, b, s, e)) return false;
    hs[p] = h;
    this.entries[2 * p] = key;
    this.entries[2 * p + 1] = v;
    this.size++;
    return true;
  }

  private grow(): void {
    const oh = this.hashes;
    const oe = this.entries;
    const cap = oh.length * 2;
    this.hashes = new Int32Array(cap);
    this.entries = filled(cap * 2);
    this.mask = cap - 1;
    for (let q = 0; q < oh.length; q++) {
      const h = oh[q];
      if (h === 0) continue;
      let p = h & this.mask;
      while (this.hashes[p] !== 0) p = (p + 1) & this.mask;
      this.hashes[p] = h;
      this.entries[2 * p] = oe[2 * q];
      this.entries[2 * p + 1] = oe[2 * q + 1];
    }
  }
}

/**
 * Prototype 2, "dense": the index is an Int32Array of [entry + 1, hash] pairs (open addressing, linear
 * probing, at most 3/4 full: member-table.ts's layout), the keys and values a dense array of
 * [key, value] in insertion order, as V8's OrderedHashMap keeps them. Stores of young strings then
 * land next to each other in the old array instead of at random places in it.
 */
class DenseTable<V> implements KeyTable<V> {
  private index: Int32Array;
  private mask: number;
  private readonly entries: (string | V)[] = [];
  size = 0;

  constructor(hint = 8) {
    let cap = 8;
    while (cap * 3 < hint * 4) cap *= 2;
    this.index = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  find(h: number, b: Buffer, s: number, e: number): number {
    const t = this.index;
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const x = t[2 * p];
      if (x === 0) return -1;
      if (t[2 * p + 1] === h && sameRange(this.entries[2 * (x - 1)] as string, b, s, e)) return x - 1;
    }
  }

  valueAt(i: number): V {
    return this.entries[2 * i + 1] as V;
  }

  setAt(i: number, v: V): void {
    this.entries[2 * i + 1] = v;
  }

  insert(h: number, b: Buffer, s: number, e: number, key: string, v: V): boolean {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    if (this.find(h, b, s, e) >= 0) return false;
    placePair(this.index, this.mask, h, ++this.size);
    this.entries.push(key, v);
    return true;
  }

  private grow(): void {
    const cap = this.index.length; // pairs: twice the positions, so this doubles them
    this.index = rehashPairs(this.index, cap);
    this.mask = cap - 1;
  }
}

const newTable = <V>(impl: Impl, hint: number): KeyTable<V> => (impl === 'slots' ? new SlotTable<V>(hint) : new DenseTable<V>(hint));

/** A packed (not dictionary-mode) array of n undefineds: new Array(n) alone is a dictionary past ~100k. */
function filled<T>(n: number): (T | undefined)[] {
  const a: (T | undefined)[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}

function sameRange(s: string, b: Buffer, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = start; i < end; i++) if (s.charCodeAt(i - start) !== b[i]) return false;
  return true;
}

const keyHash = (b: Buffer, s: number, e: number): number => hashRange(b, s, e) || 1;

/** Key i's text as DEBUG POPULATE names them. */
const keyText = (i: number): string => `key:${i}`;

/** An RDB-like run of [len][key][len][value] records, as the loader walks it. */
function rdbLike(n: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = keyText(i);
    const v = `value:${i}`;
    parts.push(String.fromCharCode(k.length), k, String.fromCharCode(v.length), v);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** The keys 0..n-1 in a random order, as a read buffer of key bytes with their offsets. */
function requestKeys(n: number, count: number): { buf: Buffer; starts: Int32Array; ends: Int32Array } {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i % n;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const texts = Array.from(order, (i) => keyText(i));
  const buf = Buffer.from(texts.join(''), 'latin1');
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    at += texts[i].length;
    ends[i] = at;
  }
  return { buf, starts, ends };
}

/**
 * map: V8's Map; slots / dense: the prototypes above, fed bytes; keyspace: store/keyspace.ts as the
 * engine uses it today, string keys (reserve() from the count, hashStr per lookup).
 */
type Impl = 'map' | 'slots' | 'dense' | 'keyspace';
/** The string-keyed ones, looked up with a latin1 string per key as the engine does. */
type StrTable = Map<string, string> | Keyspace<string>;
const byString = (impl: Impl): impl is 'map' | 'keyspace' => impl === 'map' || impl === 'keyspace';

function strTable(impl: 'map' | 'keyspace', hint: number): StrTable {
  if (impl === 'map') return new Map<string, string>();
  const ks = new Keyspace<string>();
  ks.reserve(hint);
  return ks;
}
interface Sample {
  ms: number;
  cpuMs: number;
  gcMs: number;
  heapMB?: number;
  rssMB?: number;
  check: number;
}

/** (a): the loader's loop, keys and values as strings from a Latin1Window, duplicates refused. */
function insert(impl: Impl, buf: Buffer, n: number): () => number {
  return () => {
    const w = new Latin1Window(buf);
    if (byString(impl)) {
      const m = strTable(impl, n);
      for (let p = 0; p < buf.length; ) {
        const kn = buf[p];
        const key = w.str(p + 1, kn);
        p += 1 + kn;
        const vn = buf[p];
        const before = m.size;
        m.set(key, w.str(p + 1, vn));
        if (m.size === before) throw new Error('duplicate');
        p += 1 + vn;
      }
      kept = m;
      return m.size;
    }
    const t = newTable<string>(impl, n);
    for (let p = 0; p < buf.length; ) {
      const kn = buf[p];
      const ks = p + 1;
      const ke = ks + kn;
      const h = keyHash(buf, ks, ke);
      const key = w.str(ks, kn);
      p = ke;
      const vn = buf[p];
      if (!t.insert(h, buf, ks, ke, key, w.str(p + 1, vn))) throw new Error('duplicate');
      p += 1 + vn;
    }
    kept = t;
    return t.size;
  };
}
let kept: unknown = null;

/** Builds the keyspace of n keys (untimed) the way insert() does, with values `value` for every key. */
function keyspace(impl: Impl, n: number, value: (i: number) => string): StrTable | KeyTable<string> {
  if (byString(impl)) {
    const m = strTable(impl, n);
    for (let i = 0; i < n; i++) m.set(keyText(i), value(i));
    return m;
  }
  const t = newTable<string>(impl, n);
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(keyText(i), 'latin1');
    t.insert(keyHash(b, 0, b.length), b, 0, b.length, keyText(i), value(i));
  }
  return t;
}

/** (b): GET of existing keys given as bytes. */
function lookups(impl: Impl, n: number, count: number): () => number {
  const ks = keyspace(impl, n, (i) => `value:${i}`);
  const { buf, starts, ends } = requestKeys(n, count);
  return () => {
    let sum = 0;
    if (ks instanceof Map || ks instanceof Keyspace) {
      for (let i = 0; i < count; i++) sum += ks.get(buf.latin1Slice(starts[i], ends[i]))!.length;
    } else {
      for (let i = 0; i < count; i++) {
        const s = starts[i];
        const e = ends[i];
        sum += ks.valueAt(ks.find(keyHash(buf, s, e), buf, s, e)).length;
      }
    }
    return sum;
  };
}

/** (c) SET: overwrite existing keys given as bytes with a fresh short value string each. */
function overwrite(impl: Impl, n: number, count: number): () => number {
  const ks = keyspace(impl, n, (i) => `value:${i}`);
  const { buf, starts, ends } = requestKeys(n, count);
  return () => {
    if (ks instanceof Map || ks instanceof Keyspace) {
      for (let i = 0; i < count; i++) ks.set(buf.latin1Slice(starts[i], ends[i]), buf.latin1Slice(starts[i], starts[i] + 3));
      return ks.size;
    }
    for (let i = 0; i < count; i++) {
      const s = starts[i];
      const e = ends[i];
      const v = buf.latin1Slice(s, s + 3);
      const h = keyHash(buf, s, e);
      const p = ks.find(h, buf, s, e);
      if (p >= 0) ks.setAt(p, v);
      else ks.insert(h, buf, s, e, buf.latin1Slice(s, e), v);
    }
    return ks.size;
  };
}

/** (c) INCR: read the integer text of an existing key, store its successor. */
function incr(impl: Impl, n: number, count: number): () => number {
  const ks = keyspace(impl, n, () => '0');
  const { buf, starts, ends } = requestKeys(n, count);
  return () => {
    let sum = 0;
    if (ks instanceof Map || ks instanceof Keyspace) {
      for (let i = 0; i < count; i++) {
        const k = buf.latin1Slice(starts[i], ends[i]);
        const v = Number(ks.get(k)) + 1;
        ks.set(k, String(v));
        sum += v;
      }
      return sum;
    }
    for (let i = 0; i < count; i++) {
      const s = starts[i];
      const e = ends[i];
      const p = ks.find(keyHash(buf, s, e), buf, s, e);
      const v = Number(ks.valueAt(p)) + 1;
      ks.setAt(p, String(v));
      sum += v;
    }
    return sum;
  };
}

const CASES: Record<string, (impl: Impl, n: number) => () => number> = {
  insert: (impl, n) => insert(impl, rdbLike(n), n),
  'get-big': (impl, n) => lookups(impl, n, n),
  'get-10k': (impl, n) => lookups(impl, 10_000, n),
  set: (impl, n) => overwrite(impl, n, n),
  incr: (impl, n) => incr(impl, n, n),
};

async function child(name: string, impl: Impl, n: number): Promise<Sample> {
  const gcFn = (globalThis as { gc?: () => void }).gc!;
  const run = CASES[name](impl, n);
  // A load runs once in a fresh process, so insert is timed cold; a server's GET/SET/INCR paths are hot.
  if (name !== 'insert') run();
  gcFn();
  gcFn();
  let gcMs = 0;
  let t1 = Infinity;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime < t1) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const check = run();
  t1 = performance.now();
  const c = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  const out: Sample = { ms: t1 - t0, cpuMs: (c.user + c.system) / 1000, gcMs, check };
  if (name === 'insert') {
    gcFn();
    gcFn();
    if (kept === null) throw new Error('the loaded table is gone before its memory is read');
    out.heapMB = process.memoryUsage().heapUsed / 2 ** 20;
    out.rssMB = process.memoryUsage().rss / 2 ** 20;
  }
  return out;
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    keys: { type: 'string', default: '1000000' },
    only: { type: 'string' },
    impls: { type: 'string', default: 'map,slots,dense,keyspace' },
    child: { type: 'string' },
    impl: { type: 'string' },
  },
});
const n = Number(values.keys);

if (values.child !== undefined) {
  console.log(JSON.stringify(await child(values.child, values.impl as Impl, n)));
} else {
  const self = fileURLToPath(import.meta.url);
  const names = values.only ? [values.only] : Object.keys(CASES);
  const rounds = Number(values.rounds);
  const impls = values.impls.split(',') as Impl[];
  const fmt = (xs: number[]) => `${median(xs).toFixed(0)} [${xs.map((x) => x.toFixed(0)).join(' ')}]`;
  console.log(`keyspace table vs Map, ${n} keys/ops, ${rounds} rounds, fresh node per run (medians, ms; every run)`);
  for (const name of names) {
    const got: Record<Impl, Sample[]> = { map: [], slots: [], dense: [], keyspace: [] };
    for (let r = 0; r < rounds; r++) {
      const k = r % impls.length;
      for (const impl of [...impls.slice(k), ...impls.slice(0, k)]) {
        const res = spawnSync(process.execPath, [...ENGINE_NODE_FLAGS, '--expose-gc', '--import', 'tsx', self, '--child', name, '--impl', impl, '--keys', String(n)], { encoding: 'utf8' });
        if (res.status !== 0) throw new Error(`${name}/${impl} failed: ${res.stderr}`);
        got[impl].push(JSON.parse(res.stdout.trim().split('\n').pop()!) as Sample);
      }
    }
    for (const impl of impls) if (got[impl][0].check !== got[impls[0]][0].check) throw new Error(`${name}: ${impl} gave ${got[impl][0].check}, ${impls[0]} ${got[impls[0]][0].check}`);
    for (const impl of impls) {
      const s = got[impl];
      const mem = name === 'insert' ? `  heapUsed ${median(s.map((x) => x.heapMB!)).toFixed(1)} MB  RSS ${median(s.map((x) => x.rssMB!)).toFixed(1)} MB` : '';
      console.log(`  ${name.padEnd(8)} ${impl.padEnd(8)} wall ${fmt(s.map((x) => x.ms))}  CPU ${fmt(s.map((x) => x.cpuMs))}  GC ${fmt(s.map((x) => x.gcMs))}${mem}`);
    }
    for (const impl of impls.filter((i) => i !== 'map' && impls.includes('map'))) {
      const ratio = median(got[impl].map((x) => x.ms)) / median(got.map.map((x) => x.ms));
      console.log(`  ${name.padEnd(8)} ${impl}/map wall ${ratio.toFixed(2)}`);
    }
  }
}
