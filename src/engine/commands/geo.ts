// GEO commands over sorted sets whose scores are 52-bit geohashes (store/geohash.ts): GEOADD (a ZADD
// underneath, propagated as one), GEOPOS, GEODIST, GEOHASH, GEOSEARCH/GEOSEARCHSTORE and the
// deprecated GEORADIUS/GEORADIUSBYMEMBER with their _RO forms. Replies format numbers as Redis does:
// distances "%.4f", coordinates as long doubles printed with 17 decimals and trimmed.
import type { CommandContext, CommandDef } from './table.js';
import type { ReplyWriter } from '../protocol/writer.js';
import { ZSetValue } from '../store/zset.js';
import type { Leaf } from '../store/zset-btree.js';
import { keyBuf, keyStr } from '../store/types.js';
import { is, parseDouble, parseInt64 } from './args.js';
import { NOT_FLOAT, SYNTAX } from './errors.js';
import { getZset, zadd } from './zsets.js';
import { storeResult } from './aggregate.js';
import { notifyKeyspaceEvent } from '../pubsub/notify.js';
import { formatFixed, formatHumanFixed } from '../protocol/fixed-decimal.js';
import * as G from '../store/geohash.js';
import { partialSort } from './sort-partial.js';

const B_ZADD = Buffer.from('zadd');
const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** A double argument, or null after replying (msg: Redis's custom text for this argument). */
function doubleArg(ctx: CommandContext, b: Buffer, msg?: string): number | null {
  const d = parseDouble(b);
  if (d === null) ctx.reply.error(msg ? `ERR ${msg}` : NOT_FLOAT);
  return d;
}

/** Redis's extractLongLatOrReply. */
function lonLatArg(ctx: CommandContext, at: number): [number, number] | null {
  const lon = doubleArg(ctx, ctx.argv[at]);
  if (lon === null) return null;
  const lat = doubleArg(ctx, ctx.argv[at + 1]);
  if (lat === null) return null;
  if (lon < G.LON_MIN || lon > G.LON_MAX || lat < G.LAT_MIN || lat > G.LAT_MAX) {
    ctx.reply.error(`ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
    return null;
  }
  return [lon, lat];
}

/** Meters per unit, or -1 after replying. */
function unitArg(ctx: CommandContext, b: Buffer): number {
  if (is(b, 'm')) return 1;
  if (is(b, 'km')) return 1000;
  if (is(b, 'ft')) return 0.3048;
  if (is(b, 'mi')) return 1609.34;
  ctx.reply.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return -1;
}

/** A coordinate as Redis's addReplyHumanLongDouble writes it (a double in RESP3). */
function replyCoord(reply: ReplyWriter, d: number): void {
  const s = formatHumanFixed(d);
  if (reply.resp === 3) reply.raw(`,${s}\r\n`);
  else reply.bulk(s);
}

function replyDistance(reply: ReplyWriter, d: number): void {
  reply.bulk(formatFixed(d, 4));
}

function geoadd(ctx: CommandContext): void {
  const { argv, reply } = ctx;
  let xx = false;
  let nx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    if (is(argv[at], 'nx')) nx = true;
    else if (is(argv[at], 'xx')) xx = true;
    else if (!is(argv[at], 'ch')) break;
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) return reply.error(SYNTAX);
  const zargv: Buffer[] = [B_ZADD, ...argv.slice(1, at)];
  for (let i = at; i < argv.length; i += 3) {
    const xy = lonLatArg(ctx, i);
    if (!xy) return;
    zargv.push(Buffer.from(String(G.encode(xy[0], xy[1], G.STEP_MAX))), argv[i + 2]);
  }
  // GEOADD is a ZADD of geohash scores, and replicas get that ZADD.
  ctx.propagate = [zargv];
  zadd({ ...ctx, argv: zargv }, false);
}

/** GEOPOS/GEOHASH: one reply per member argument, `missing` for members (or keys) not there. */
function perMember(ctx: CommandContext, missing: () => void, found: (lon: number, lat: number) => void): void {
  const { argv, reply } = ctx;
  const z = getZset(ctx, argv[1]);
  if (z === undefined) return;
  reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z?.score(argv[i]);
    if (score === undefined) missing();
    else found(...G.decodeScore(score));
  }
}

function geopos(ctx: CommandContext): void {
  const reply = ctx.reply;
  perMember(ctx, () => reply.nullArray(), (lon, lat) => {
    reply.array(2);
    replyCoord(reply, lon);
    replyCoord(reply, lat);
  });
}

function geodist(ctx: CommandContext): void {
  const { argv, reply } = ctx;
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = unitArg(ctx, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    return reply.error(SYNTAX);
  }
  const z = getZset(ctx, argv[1]);
  if (z === undefined) return;
  const s1 = z?.score(argv[2]);
  const s2 = z?.score(argv[3]);
  if (s1 === undefined || s2 === undefined) return reply.null();
  const [lon1, lat1] = G.decodeScore(s1);
  const [lon2, lat2] = G.decodeScore(s2);
  replyDistance(reply, G.distance(lon1, lat1, lon2, lat2) / toMeter);
}

function geohash(ctx: CommandContext): void {
  const reply = ctx.reply;
  perMember(ctx, () => reply.null(), (lon, lat) => {
    // Scores use latitudes within +-85.05; the standard geohash string uses +-90: re-encode.
    const bits = G.encode(lon, lat, G.STEP_MAX, { min: -180, max: 180 }, { min: -90, max: 90 }) ?? 0;
    let s = '';
    for (let k = 0; k < 10; k++) s += GEO_ALPHABET[Math.floor(bits / 2 ** (52 - (k + 1) * 5)) % 32];
    reply.bulk(s + '0');
  });
}

// ---------------------------------------------------------------------------------------------
// Searches.

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const NOSTORE = 4;
const SEARCH = 8;
const SEARCHSTORE = 16;


/** Redis's extractDistanceOrReply: [radius, meters per unit] or null after replying. */
function distanceArg(ctx: CommandContext, at: number): [number, number] | null {
  const d = doubleArg(ctx, ctx.argv[at], 'need numeric radius');
  if (d === null) return null;
  if (d < 0) {
    ctx.reply.error('ERR radius cannot be negative');
    return null;
  }
  const unit = unitArg(ctx, ctx.argv[at + 1]);
  return unit < 0 ? null : [d, unit];
}

function boxArg(ctx: CommandContext, at: number): [number, number, number] | null {
  const w = doubleArg(ctx, ctx.argv[at], 'need numeric width');
  if (w === null) return null;
  const h = doubleArg(ctx, ctx.argv[at + 1], 'need numeric height');
  if (h === null) return null;
  if (h < 0 || w < 0) {
    ctx.reply.error('ERR height or width cannot be negative');
    return null;
  }
  const unit = unitArg(ctx, ctx.argv[at + 2]);
  return unit < 0 ? null : [w, h, unit];
}

/** The member's [lon, lat], or null after replying Redis's error. */
function memberPos(ctx: CommandContext, z: ZSetValue, m: Buffer): [number, number] | null {
  const s = z.score(m);
  if (s === undefined) {
    ctx.reply.error('ERR could not decode requested zset member');
    return null;
  }
  return G.decodeScore(s);
}

/**
 * The points a search found, in scan order, as reusable columns (no object per match: a search
 * finds hundreds). One search runs at a time (no re-entry), so one instance serves them all.
 */
class Matches {
  n = 0;
  dist: Float64Array = new Float64Array(64);
  score: Float64Array = new Float64Array(64);
  lon: Float64Array = new Float64Array(64);
  lat: Float64Array = new Float64Array(64);
  member: string[] = [];

  reset(): void {
    this.n = 0;
    this.member.length = 0;
  }

  push(member: string, lon: number, lat: number, dist: number, score: number): void {
    const k = this.n++;
    if (k === this.dist.length) {
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.dist = grow(this.dist);
      this.score = grow(this.score);
      this.lon = grow(this.lon);
      this.lat = grow(this.lat);
    }
    this.dist[k] = dist;
    this.score[k] = score;
    this.lon[k] = lon;
    this.lat[k] = lat;
    this.member.push(member);
  }
}
const found = new Matches();

/** Matches within the shape, cell by cell in Redis's order, stopping at `limit` (0: none). Each cell
 * is a score range of the zset's order, read leaf by leaf; a point's latitude cell is checked first
 * (an integer compare) and its longitude against a bound before the exact distance, which drops most
 * misses early. */
function pointsIn(z: ZSetValue, shape: G.Shape, limit: number, m: Matches): void {
  m.reset();
  const test = G.shapeTester(shape);
  for (const [min, max] of G.searchRanges(shape)) {
    if (limit !== 0 && m.n >= limit) return;
    const [first, from] = z.seekScore(min);
    let i = from;
    for (let l: Leaf | null = first; l !== null; l = l.next, i = 0) {
      const scores = l.scores;
      for (const n = l.n; i < n; i++) {
        const score = scores[i];
        if (score >= max) break;
        const ilat = G.scoreIlat(score);
        if (ilat < test.ilatLo || ilat > test.ilatHi) continue;
        const lat = G.latOfIlat(ilat);
        const lon = G.lastScoreLon();
        if (test.lonMiss(lon)) continue;
        const dist = test.dist(lon, lat);
        if (dist < 0) continue;
        m.push(l.members[i], lon, lat, dist, score);
        if (limit !== 0 && m.n >= limit) return;
      }
      if (i < l.n) break;
    }
  }
}

function search(ctx: CommandContext, srcIndex: number, flags: number): void {
  const { argv, reply, db, srv } = ctx;
  const z = getZset(ctx, argv[srcIndex]);
  if (z === undefined) return;
  // Every field present from the start (no delete): the shape keeps one hidden class.
  const shape: G.Shape = { lon: 0, lat: 0, conversion: 1, radius: undefined, width: undefined, height: undefined };
  let base: number;
  let storeKey: Buffer | null = null;
  let storeDist = false;
  if (flags & RADIUS_COORDS) {
    base = 6;
    const xy = lonLatArg(ctx, 2);
    if (!xy) return;
    [shape.lon, shape.lat] = xy;
    const d = distanceArg(ctx, base - 2);
    if (!d) return;
    [shape.radius, shape.conversion] = d;
  } else if (flags & RADIUS_MEMBER) {
    base = 5;
    // Without the key, the arguments are still parsed to choose the reply (STORE or not).
    if (z) {
      const xy = memberPos(ctx, z, argv[2]);
      if (!xy) return;
      [shape.lon, shape.lat] = xy;
      const d = distanceArg(ctx, base - 2);
      if (!d) return;
      [shape.radius, shape.conversion] = d;
    }
  } else {
    base = 2;
    if (flags & SEARCHSTORE) {
      base = 3;
      storeKey = argv[1];
    }
  }
  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort: 'none' | 'asc' | 'desc' = 'none';
  let any = false;
  let count = 0;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const a = argv[base + i];
    const left = remaining - i - 1;
    if (is(a, 'withdist')) withDist = true;
    else if (is(a, 'withhash')) withHash = true;
    else if (is(a, 'withcoord')) withCoord = true;
    else if (is(a, 'any')) any = true;
    else if (is(a, 'asc')) sort = 'asc';
    else if (is(a, 'desc')) sort = 'desc';
    else if (is(a, 'count') && left >= 1) {
      const n = parseInt64(argv[base + i + 1]);
      if (n === null) return reply.error('ERR value is not an integer or out of range');
      if (n <= 0n) return reply.error('ERR COUNT must be > 0');
      count = Number(n);
      i++;
    } else if ((is(a, 'store') || is(a, 'storedist')) && left >= 1 && !(flags & NOSTORE) && !(flags & SEARCH)) {
      storeKey = argv[base + i + 1];
      storeDist = is(a, 'storedist');
      i++;
    } else if (is(a, 'storedist') && flags & SEARCH && flags & SEARCHSTORE) {
      storeDist = true;
    } else if (is(a, 'frommember') && left >= 1 && flags & SEARCH && !fromLoc) {
      if (z) {
        const xy = memberPos(ctx, z, argv[base + i + 1]);
        if (!xy) return;
        [shape.lon, shape.lat] = xy;
      }
      fromMember = true;
      i++;
    } else if (is(a, 'fromlonlat') && left >= 2 && flags & SEARCH && !fromMember) {
      const xy = lonLatArg(ctx, base + i + 1);
      if (!xy) return;
      [shape.lon, shape.lat] = xy;
      fromLoc = true;
      i += 2;
    } else if (is(a, 'byradius') && left >= 2 && flags & SEARCH && !byBox) {
      const d = distanceArg(ctx, base + i + 1);
      if (!d) return;
      [shape.radius, shape.conversion] = d;
      shape.width = undefined;
      byRadius = true;
      i += 2;
    } else if (is(a, 'bybox') && left >= 3 && flags & SEARCH && !byRadius) {
      const b = boxArg(ctx, base + i + 1);
      if (!b) return;
      [shape.width, shape.height, shape.conversion] = b;
      shape.radius = undefined;
      byBox = true;
      i += 3;
    } else {
      return reply.error(SYNTAX);
    }
  }
  if (storeKey && (withDist || withHash || withCoord)) {
    return reply.error(`ERR ${flags & SEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = argv[0].toString('latin1');
  if (flags & SEARCH && !(fromMember || fromLoc)) return reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (flags & SEARCH && !(byRadius || byBox)) return reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && !count) return reply.error('ERR the ANY argument requires COUNT argument');

  if (!z) {
    if (!storeKey) return reply.array(0);
    if (db.delete(keyStr(storeKey))) {
      notifyKeyspaceEvent(srv, 'g', 'del', storeKey, db.id);
      srv.dirty++;
    }
    return reply.int(0);
  }
  if (count !== 0 && sort === 'none' && !any) sort = 'asc';
  const m = found;
  pointsIn(z, shape, any ? count : 0, m);
  try {
    reply0(ctx, m, shape, count, sort, storeKey, storeDist, withDist, withHash, withCoord, flags);
  } finally {
    m.reset(); // no member strings kept past the command
  }
}

/** Sorts what a search found (as Redis) and replies it or stores it. */
function reply0(
  ctx: CommandContext, m: Matches, shape: G.Shape, count: number, sort: 'none' | 'asc' | 'desc', storeKey: Buffer | null,
  storeDist: boolean, withDist: boolean, withHash: boolean, withCoord: boolean, flags: number,
): void {
  const { reply, db, srv } = ctx;
  if (m.n === 0 && !storeKey) return reply.array(0);
  const returned = count === 0 || m.n < count ? m.n : count;
  const order: number[] = [];
  for (let k = 0; k < m.n; k++) order.push(k);
  if (sort !== 'none') {
    const d = m.dist;
    const asc = (a: number, b: number): number => (d[a] > d[b] ? 1 : d[a] === d[b] ? 0 : -1);
    const cmp = sort === 'asc' ? asc : (a: number, b: number): number => -asc(a, b);
    // As Redis: everything with qsort (glibc's is a stable merge sort, as Array#sort), only the first
    // COUNT with its partial quicksort (cheaper, and equal distances in that algorithm's order).
    if (returned === m.n) order.sort(cmp);
    else partialSort(order, cmp, 0, returned - 1);
  }

  if (!storeKey) {
    const opts = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
    reply.array(returned);
    for (let j = 0; j < returned; j++) {
      const k = order[j];
      if (opts) reply.array(opts + 1);
      reply.bulkLatin1(m.member[k]);
      if (withDist) replyDistance(reply, m.dist[k] / shape.conversion);
      if (withHash) reply.int(Math.trunc(m.score[k]));
      if (withCoord) {
        reply.array(2);
        replyCoord(reply, m.lon[k]);
        replyCoord(reply, m.lat[k]);
      }
    }
    return;
  }
  if (returned) {
    const out = ZSetValue.from(order.slice(0, returned).map((k) => [keyBuf(m.member[k]), storeDist ? m.dist[k] / shape.conversion : m.score[k]]));
    storeResult(ctx, storeKey, out);
    notifyKeyspaceEvent(srv, 'z', flags & SEARCH ? 'geosearchstore' : 'georadiusstore', storeKey, db.id);
    srv.dirty += returned;
  } else if (db.delete(keyStr(storeKey))) {
    notifyKeyspaceEvent(srv, 'g', 'del', storeKey, db.id);
    srv.dirty++;
  }
  reply.int(returned);
}

/**
 * GEORADIUS/GEORADIUSBYMEMBER key positions as their key specs give them: the source, then the
 * key after the first STORE and after the first STOREDIST searched from `from` (6 or 5).
 */
function radiusKeys(from: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const keys = [1];
    for (const word of ['store', 'storedist']) {
      for (let i = from; i < argv.length - 1; i++) {
        if (is(argv[i], word)) {
          keys.push(i + 1);
          break;
        }
      }
    }
    return keys;
  };
}

export const geoCommands: CommandDef[] = [
  { name: 'geoadd', handler: geoadd },
  { name: 'geopos', handler: geopos },
  { name: 'geodist', handler: geodist },
  { name: 'geohash', handler: geohash },
  { name: 'geosearch', handler: (ctx) => search(ctx, 1, SEARCH) },
  { name: 'geosearchstore', handler: (ctx) => search(ctx, 2, SEARCH | SEARCHSTORE) },
  { name: 'georadius', handler: (ctx) => search(ctx, 1, RADIUS_COORDS), getKeys: radiusKeys(6) },
  { name: 'georadius_ro', handler: (ctx) => search(ctx, 1, RADIUS_COORDS | NOSTORE) },
  { name: 'georadiusbymember', handler: (ctx) => search(ctx, 1, RADIUS_MEMBER), getKeys: radiusKeys(5) },
  { name: 'georadiusbymember_ro', handler: (ctx) => search(ctx, 1, RADIUS_MEMBER | NOSTORE) },
];
