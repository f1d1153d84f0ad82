// Redis's geohash arithmetic: 26 steps of latitude/longitude bisection interleaved into a 52-bit
// integer (latitude in the even bits, longitude in the odd ones) that is a sorted-set score, the
// area a hash stands for, its 8 neighbours, the cells a radius or box search scans, and the
// haversine distance on Redis's earth radius. Latitudes are limited to +-85.05112878 (Web Mercator).

export const LON_MIN = -180;
export const LON_MAX = 180;
export const LAT_MIN = -85.05112878;
export const LAT_MAX = 85.05112878;
export const STEP_MAX = 26;
const EARTH_RADIUS_M = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180;

export interface Range {
  min: number;
  max: number;
}
export const WGS84_LON: Range = { min: LON_MIN, max: LON_MAX };
export const WGS84_LAT: Range = { min: LAT_MIN, max: LAT_MAX };

/** A hash of `step` bits per coordinate; step 0 with bits 0 is "no cell". */
export interface HashBits {
  bits: bigint;
  step: number;
}

// ---------------------------------------------------------------------------------------------
// Bit interleaving on 32-bit halves.

function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}

function squeeze16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  return (x | (x >>> 8)) & 0x0000ffff;
}

/** lat bits to even positions, lon bits to odd ones, as a number (exact below 2^53). */
function interleave(lat: number, lon: number): number {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return hi * 4294967296 + lo;
}

/** Redis's geohashEncode: null when the point is outside the ranges or the limits. */
export function encode(lon: number, lat: number, step: number, lonR: Range = WGS84_LON, latR: Range = WGS84_LAT): number | null {
  if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN) return null;
  if (lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max) return null;
  const scale = 2 ** step;
  const latOff = ((lat - latR.min) / (latR.max - latR.min)) * scale;
  const lonOff = ((lon - lonR.min) / (lonR.max - lonR.min)) * scale;
  return interleave(latOff >>> 0, lonOff >>> 0);
}

export interface Area {
  lon: Range;
  lat: Range;
}

/** The cell a hash stands for (geohashDecode). */
export function decodeArea(h: HashBits, lonR: Range = WGS84_LON, latR: Range = WGS84_LAT): Area {
  const lo = Number(h.bits & 0xffffffffn);
  const hi = Number((h.bits >> 32n) & 0xffffffffn);
  return areaOf(hi, lo, h.step, lonR, latR);
}

function areaOf(hi: number, lo: number, step: number, lonR: Range, latR: Range): Area {
  const ilat = (squeeze16(lo) | (squeeze16(hi) << 16)) >>> 0;
  const ilon = (squeeze16(lo >>> 1) | (squeeze16(hi >>> 1) << 16)) >>> 0;
  const scale = 2 ** step;
  const latScale = latR.max - latR.min;
  const lonScale = lonR.max - lonR.min;
  return {
    lat: { min: latR.min + (ilat / scale) * latScale, max: latR.min + ((ilat + 1) / scale) * latScale },
    lon: { min: lonR.min + (ilon / scale) * lonScale, max: lonR.min + ((ilon + 1) / scale) * lonScale },
  };
}

/**
 * C's (uint64_t)score on x86-64 as [hi, lo] 32-bit halves: truncated; negatives wrap (from int64);
 * 2^64 and beyond become 0, below -2^63 0x8000000000000000 (what cvttsd2si gives).
 */
function toUint64(score: number): [number, number] {
  const v = Math.trunc(score);
  if (v >= 0 && v < 2 ** 64) return [Math.floor(v / 4294967296) >>> 0, v % 4294967296 >>> 0];
  if (v < 0 && v >= -(2 ** 63)) {
    const u = BigInt.asUintN(64, BigInt(v));
    return [Number(u >> 32n), Number(u & 0xffffffffn)];
  }
  return v < 0 ? [0x80000000, 0] : [0, 0];
}

const TWO_32 = 4294967296;
const CELLS = 2 ** STEP_MAX;
const LAT_SCALE = LAT_MAX - LAT_MIN;
const LON_SCALE = LON_MAX - LON_MIN;

/** (uint64_t)score as 32-bit halves, in hiOf/loOf: without Math.trunc or %, which cost a float
 * modulo call per point, for the scores geo commands store. */
let hiOf = 0;
let loOf = 0;
function halves(score: number): void {
  if (score >= 0 && score < 2 ** 53) {
    hiOf = Math.floor(score / TWO_32);
    loOf = (score - hiOf * TWO_32) >>> 0;
  } else [hiOf, loOf] = toUint64(score);
}

/** The latitude of a score's cell centre, clamped (geohashDecode's arithmetic at step 26). */
export function scoreLat(score: number): number {
  halves(score);
  const ilat = (squeeze16(loOf) | (squeeze16(hiOf) << 16)) >>> 0;
  const latMin = LAT_MIN + (ilat / CELLS) * LAT_SCALE;
  const latMax = LAT_MIN + ((ilat + 1) / CELLS) * LAT_SCALE;
  const lat = (latMin + latMax) / 2;
  return lat > LAT_MAX ? LAT_MAX : lat < LAT_MIN ? LAT_MIN : lat;
}

/** The longitude of a score's cell centre, clamped. */
export function scoreLon(score: number): number {
  halves(score);
  const ilon = (squeeze16(loOf >>> 1) | (squeeze16(hiOf >>> 1) << 16)) >>> 0;
  const lonMin = LON_MIN + (ilon / CELLS) * LON_SCALE;
  const lonMax = LON_MIN + ((ilon + 1) / CELLS) * LON_SCALE;
  const lon = (lonMin + lonMax) / 2;
  return lon > LON_MAX ? LON_MAX : lon < LON_MIN ? LON_MIN : lon;
}

/** [lon, lat] of a sorted-set score (the cell's centre, clamped), as Redis's decodeGeohash. */
export function decodeScore(score: number): [number, number] {
  return [scoreLon(score), scoreLat(score)];
}

// ---------------------------------------------------------------------------------------------
// Distances.

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_M * Math.abs(lat2 * D_R - lat1 * D_R);
}

/** Haversine distance in meters (geohashGetDistance). */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = lon1 * D_R;
  const lon2r = lon2 * D_R;
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
}

// ---------------------------------------------------------------------------------------------
// Search areas.

/** What a search looks for: a circle (radius) or a box (width x height), in `conversion` units. */
export interface Shape {
  lon: number;
  lat: number;
  /** Meters per unit. */
  conversion: number;
  radius?: number;
  width?: number;
  height?: number;
}

/** A search's test of one point, in two steps so that a point can be dropped on its latitude alone. */
export interface ShapeTest {
  /** True when the latitude alone puts the point outside (checked before the longitude is decoded). */
  latMiss(lat: number): boolean;
  /** The point's distance from the centre when inside the shape, else -1 (after latMiss was false). */
  dist(lon: number, lat: number): number;
}

/**
 * The centre's radians and cosine are computed once per search (the same values distance() would
 * compute per point, so distances are bit-identical). A box checks the latitude first as Redis does;
 * a radius search drops points whose latitude difference alone is past the radius, with a margin so
 * that only clear misses are dropped before the exact test.
 */
export function shapeTester(s: Shape): ShapeTest {
  const lon1r = s.lon * D_R;
  const lat1r = s.lat * D_R;
  const cosLat1 = Math.cos(lat1r);
  /** distance(s.lon, s.lat, lon, lat) */
  const fromCentre = (lon: number, lat: number): number => {
    const v = Math.sin((lon * D_R - lon1r) / 2);
    if (v === 0) return latDistance(s.lat, lat);
    const lat2r = lat * D_R;
    const u = Math.sin((lat2r - lat1r) / 2);
    const a = u * u + cosLat1 * Math.cos(lat2r) * v * v;
    return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a));
  };
  if (s.radius !== undefined) {
    const r = s.radius * s.conversion;
    const clearMiss = r * (1 + 1e-9);
    return {
      latMiss: (lat) => latDistance(s.lat, lat) > clearMiss,
      dist(lon, lat) {
        const d = fromCentre(lon, lat);
        return d > r ? -1 : d;
      },
    };
  }
  const w = (s.width as number) * s.conversion;
  const h = (s.height as number) * s.conversion;
  return {
    latMiss: (lat) => latDistance(lat, s.lat) > h / 2,
    dist: (lon, lat) => (distance(lon, lat, s.lon, lat) > w / 2 ? -1 : fromCentre(lon, lat)),
  };
}

function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(26, Math.max(1, step));
}

const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;

/** Moves a hash one cell east/west (dx) and north/south (dy), wrapping as Redis does. */
function move(h: HashBits, dx: number, dy: number): HashBits {
  const shift = BigInt(64 - h.step * 2);
  let bits = h.bits;
  if (dx !== 0) bits = moveAxis(bits, shift, ODD, EVEN, dx);
  if (dy !== 0) bits = moveAxis(bits, shift, EVEN, ODD, dy);
  return { bits, step: h.step };
}

/** Adds or subtracts one on the bits of `axis` (longitude: odd, latitude: even), carrying across the others. */
function moveAxis(bits: bigint, shift: bigint, axis: bigint, other: bigint, d: number): bigint {
  let v = bits & axis;
  const zz = other >> shift;
  if (d > 0) v = v + (zz + 1n);
  else v = (v | zz) - (zz + 1n);
  return (BigInt.asUintN(64, v) & (axis >> shift)) | (bits & other);
}

/** Score ranges [min, max) of the cells to scan, in Redis's order, duplicates and excluded cells resolved. */
export function searchRanges(s: Shape): [number, number][] {
  const hw = s.radius !== undefined ? s.radius : (s.width as number) / 2;
  const hh = s.radius !== undefined ? s.radius : (s.height as number) / 2;
  const height = s.conversion * hh;
  const width = s.conversion * hw;
  const latDelta = height / EARTH_RADIUS_M / D_R;
  const lonDeltaTop = width / EARTH_RADIUS_M / Math.cos((s.lat + latDelta) * D_R) / D_R;
  const lonDeltaBottom = width / EARTH_RADIUS_M / Math.cos((s.lat - latDelta) * D_R) / D_R;
  const south = s.lat < 0;
  const minLon = south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
  const maxLon = south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
  const minLat = s.lat - latDelta;
  const maxLat = s.lat + latDelta;

  let radiusMeters = s.radius !== undefined ? s.radius : Math.sqrt(hw * hw + hh * hh);
  radiusMeters *= s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);
  const cellAt = (st: number): HashBits => ({ bits: BigInt(encode(s.lon, s.lat, st) ?? 0), step: st });
  let hash = cellAt(steps);
  let area = decodeArea(hash);
  const north = decodeArea(move(hash, 0, 1));
  const southA = decodeArea(move(hash, 0, -1));
  const east = decodeArea(move(hash, 1, 0));
  const west = decodeArea(move(hash, -1, 0));
  const decrease = north.lat.max < maxLat || southA.lat.min > minLat || east.lon.max < maxLon || west.lon.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = cellAt(steps);
    area = decodeArea(hash);
  }
  // Order: centre, N, S, E, W, NE, NW, SE, SW.
  const dirs: [number, number][] = [[0, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]];
  const cells: (HashBits | null)[] = dirs.map(([dx, dy]) => move(hash, dx, dy));
  if (steps >= 2) {
    const drop = (idx: number[]) => idx.forEach((i) => (cells[i] = null));
    if (area.lat.min < minLat) drop([2, 8, 7]);
    if (area.lat.max > maxLat) drop([1, 5, 6]);
    if (area.lon.min < minLon) drop([4, 8, 6]);
    if (area.lon.max > maxLon) drop([3, 7, 5]);
  }
  const out: [number, number][] = [];
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c === null) continue;
    // Redis compares with the last processed cell only when that is not the centre (index 0).
    const prev = cells[last];
    if (last && prev && c.bits === prev.bits && c.step === prev.step) continue;
    const shift = BigInt(52 - c.step * 2);
    out.push([Number(c.bits << shift), Number((c.bits + 1n) << shift)]);
    last = i;
  }
  return out;
}
