// The partial quicksort redis-server uses when only some ranks are wanted (SORT with BY and a
// LIMIT short of everything; GEOSEARCH/GEORADIUS sorting more matches than COUNT returns):
// Bentley & McIlroy's three-way partitioning quicksort ("Engineering a Sort Function", 1993:
// insertion sort below 7 elements, median of three, Tukey's ninther above 40, equal keys swapped to
// both ends and back to the middle), recursing only into the parts that overlap the wanted ranks.
// It is not stable: elements that compare equal (ALPHA with a BY key missing or the same for several
// elements, points at equal distances) come out in the order this algorithm leaves them, which is
// what a client of redis-server sees; the same algorithm gives the same order.

type Cmp<T> = (a: T, b: T) => number;

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/** Swaps the n elements starting at i with the n starting at j. */
function swapRuns<T>(v: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k);
}

/** Index of the median of v[a], v[b], v[c]. */
function median3<T>(v: T[], a: number, b: number, c: number, cmp: Cmp<T>): number {
  if (cmp(v[a], v[b]) < 0) {
    if (cmp(v[b], v[c]) < 0) return b;
    return cmp(v[a], v[c]) < 0 ? c : a;
  }
  if (cmp(v[b], v[c]) > 0) return b;
  return cmp(v[a], v[c]) < 0 ? a : c;
}

/**
 * Sorts v enough that ranks lo..hi (inclusive, 0-based) hold what a full sort would put there,
 * ordering ties exactly as redis-server's SORT does.
 */
export function partialSort<T>(v: T[], cmp: Cmp<T>, lo: number, hi: number): void {
  sortPart(v, cmp, lo, hi, 0, v.length);
}

/** Whether a part [s, e] may hold a wanted rank: the range's ends are not both before it or both after it. */
const overlaps = (lo: number, hi: number, s: number, e: number): boolean => !((lo < s && hi < s) || (lo > e && hi > e));

/** Sorts the n elements from base as far as ranks lo..hi need. */
function sortPart<T>(v: T[], cmp: Cmp<T>, lo: number, hi: number, base: number, n: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = base + 1; m < base + n; m++) {
        for (let l = m; l > base && cmp(v[l - 1], v[l]) > 0; l--) swap(v, l, l - 1);
      }
      return;
    }
    let pm = base + (n >> 1);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = n >> 3;
        pl = median3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(v, pm - d, pm, pm + d, cmp);
        pn = median3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(v, pl, pm, pn, cmp);
    }
    swap(v, base, pm);
    // v[base] is the pivot; [base+1, pa) and (pd, end] collect elements equal to it.
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = cmp(v[pb], v[base])) <= 0) {
        if (c === 0) swap(v, pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = cmp(v[pc], v[base])) >= 0) {
        if (c === 0) swap(v, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb++, pc--);
    }
    const end = base + n;
    let r = Math.min(pa - base, pb - pa);
    swapRuns(v, base, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(v, pb, end - r, r);
    // Smaller elements are now v[base, base + (pb - pa)), greater ones the last (pd - pc).
    const less = pb - pa;
    if (less > 1 && overlaps(lo, hi, base, base + less - 1)) sortPart(v, cmp, lo, hi, base, less);
    const more = pd - pc;
    if (more <= 1) return;
    base = end - more;
    n = more;
    if (!overlaps(lo, hi, base, base + n - 1)) return;
  }
}
