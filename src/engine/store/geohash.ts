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

/** A geohash cell as its latitude and longitude cell numbers at `step` bits each (< 2^step). */
interface Cell {
  ilat: number;
  ilon: number;
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

/** The area a cell stands for (geohashDecode's arithmetic). */
function cellArea(c: Cell): Area {
  const scale = 2 ** c.step;
  return {
    lat: { min: LAT_MIN + (c.ilat / scale) * LAT_SCALE, max: LAT_MIN + ((c.ilat + 1) / scale) * LAT_SCALE },
    lon: { min: LON_MIN + (c.ilon / scale) * LON_SCALE, max: LON_MIN + ((c.ilon + 1) / scale) * LON_SCALE },
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

/** The latitude cell (0 .. 2^26-1) of a score; the score is kept for lastScoreLon(). */
export function scoreIlat(score: number): number {
  halves(score);
  return (squeeze16(loOf) | (squeeze16(hiOf) << 16)) >>> 0;
}

/** The centre latitude of a latitude cell, clamped (geohashDecode's arithmetic at step 26). */
export function latOfIlat(ilat: number): number {
  const latMin = LAT_MIN + (ilat / CELLS) * LAT_SCALE;
  const latMax = LAT_MIN + ((ilat + 1) / CELLS) * LAT_SCALE;
  const lat = (latMin + latMax) / 2;
  return lat > LAT_MAX ? LAT_MAX : lat < LAT_MIN ? LAT_MIN : lat;
}

/** The latitude of a score's cell centre, clamped; the score is kept for lastScoreLon(). */
export function scoreLat(score: number): number {
  return latOfIlat(scoreIlat(score));
}

/** The longitude of the cell centre of the score scoreIlat() was last given, clamped. */
export function lastScoreLon(): number {
  const ilon = (squeeze16(loOf >>> 1) | (squeeze16(hiOf >>> 1) << 16)) >>> 0;
  const lonMin = LON_MIN + (ilon / CELLS) * LON_SCALE;
  const lonMax = LON_MIN + ((ilon + 1) / CELLS) * LON_SCALE;
  const lon = (lonMin + lonMax) / 2;
  return lon > LON_MAX ? LON_MAX : lon < LON_MIN ? LON_MIN : lon;
}

/** The longitude of a score's cell centre, clamped. */
export function scoreLon(score: number): number {
  halves(score);
  return lastScoreLon();
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
  /** The latitude cells [ilatLo, ilatHi] outside of which latMiss is true: the latitude test on the
   * cell number alone (latMiss is V-shaped around the centre's cell, so its passes are one run). */
  ilatLo: number;
  ilatHi: number;
  /** True when the latitude alone puts the point outside (checked before the longitude is decoded). */
  latMiss(lat: number): boolean;
  /** True when the longitude, given a latitude latMiss passed, puts the point outside. */
  lonMiss(lon: number): boolean;
  /** The point's distance from the centre when inside the shape, else -1 (after latMiss was false). */
  dist(lon: number, lat: number): number;
}

/**
 * For a radius search, a test that drops points whose longitude difference alone puts them past the
 * radius: with both latitudes in the band latMiss lets through, haversine's
 * a >= cos(lat1) * cos(lat2) * sin^2(dlon / 2) >= cos(lat1) * cosMin * sin^2(dlon / 2), cosMin the
 * smallest cosine in the band; so |sin(dlon / 2)| > sin(r / 2R) / sqrt(cos(lat1) * cosMin) means a
 * distance past r. `r` carries a margin, so only clear misses are dropped before the exact test.
 */
function lonBound(lon1: number, lat1: number, cosLat1: number, r: number): (lon: number) => boolean {
  const band = r / EARTH_RADIUS_M / D_R;
  const farthest = Math.max(Math.abs(lat1 - band), Math.abs(lat1 + band));
  const cosMin = farthest >= 90 ? 0 : Math.cos(farthest * D_R);
  const k = cosMin > 0 ? Math.sin(r / (2 * EARTH_RADIUS_M)) / Math.sqrt(cosLat1 * cosMin) : 1;
  if (!(k < 1)) return () => false;
  // |sin(dlon/2)| > k for dlon (degrees, |dlon| < 360) strictly between b and 360 - b.
  const b = ((2 * Math.asin(k)) / D_R) * (1 + 1e-9);
  return (lon) => {
    const d = Math.abs(lon - lon1);
    return d > b && d < 360 - b;
  };
}

/**
 * The centre's radians and cosine are computed once per search (the same values distance() would
 * compute per point, so distances are bit-identical). A box checks the latitude first as Redis does;
 * a radius search drops points whose latitude difference alone is past the radius, with a margin so
 * that only clear misses are dropped before the exact test.
 */
function tester(s: Shape): Omit<ShapeTest, 'ilatLo' | 'ilatHi'> {
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
      lonMiss: lonBound(s.lon, s.lat, cosLat1, clearMiss),
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
    lonMiss: () => false,
    dist: (lon, lat) => (distance(lon, lat, s.lon, lat) > w / 2 ? -1 : fromCentre(lon, lat)),
  };
}

export function shapeTester(s: Shape): ShapeTest {
  const t = tester(s);
  const miss = (i: number): boolean => t.latMiss(latOfIlat(i));
  const centre = Math.min(CELLS - 1, Math.max(0, Math.floor(((s.lat - LAT_MIN) / LAT_SCALE) * CELLS)));
  let ilatLo = 1;
  let ilatHi = 0;
  // The centre's cell is the nearest one: when it misses, every cell does (empty band).
  if (!miss(centre)) {
    let lo = 0;
    let hi = centre;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (miss(mid)) lo = mid + 1;
      else hi = mid;
    }
    ilatLo = lo;
    lo = centre;
    hi = CELLS - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (miss(mid)) hi = mid - 1;
      else lo = mid;
    }
    ilatHi = lo;
  }
  return { ilatLo, ilatHi, latMiss: t.latMiss, lonMiss: t.lonMiss, dist: t.dist };
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

/** A cell one step east/west (dx) and north/south (dy), wrapping around at 2^step as Redis's
 * geohash_move_x/y do (they add or subtract one across the interleaved bits, masked to the step).
 * An axis not moved keeps its value as is, even 2^step (a point on lon 180 or lat 85.05112878
 * encodes one past the last cell, and Redis keeps that bit until the axis moves). */
function move(c: Cell, dx: number, dy: number): Cell {
  const size = 2 ** c.step;
  return {
    ilat: dy === 0 ? c.ilat : (c.ilat + dy + size) % size,
    ilon: dx === 0 ? c.ilon : (c.ilon + dx + size) % size,
    step: c.step,
  };
}

/** The cell of a point at `step` bits (geohashEncode's arithmetic; no cell, 0/0, outside the limits). */
function cellOf(lon: number, lat: number, step: number): Cell {
  if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN) return { ilat: 0, ilon: 0, step };
  const scale = 2 ** step;
  const latOff = ((lat - LAT_MIN) / (LAT_MAX - LAT_MIN)) * scale;
  const lonOff = ((lon - LON_MIN) / (LON_MAX - LON_MIN)) * scale;
  return { ilat: latOff >>> 0, ilon: lonOff >>> 0, step };
}

const DIRS: [number, number][] = [[0, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]];

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
  let hash = cellOf(s.lon, s.lat, steps);
  let area = cellArea(hash);
  const north = cellArea(move(hash, 0, 1));
  const southA = cellArea(move(hash, 0, -1));
  const east = cellArea(move(hash, 1, 0));
  const west = cellArea(move(hash, -1, 0));
  const decrease = north.lat.max < maxLat || southA.lat.min > minLat || east.lon.max < maxLon || west.lon.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = cellOf(s.lon, s.lat, steps);
    area = cellArea(hash);
  }
  // Order: centre, N, S, E, W, NE, NW, SE, SW.
  const cells: (Cell | null)[] = DIRS.map(([dx, dy]) => move(hash, dx, dy));
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
    if (last && prev && c.ilat === prev.ilat && c.ilon === prev.ilon && c.step === prev.step) continue;
    // The cell's 2*step bits, shifted to the top of the 52-bit score: [bits, bits + 1) << shift.
    const unit = 2 ** (52 - c.step * 2);
    const bits = interleave(c.ilat, c.ilon);
    out.push([bits * unit, (bits + 1) * unit]);
    last = i;
  }
  return out;
}
