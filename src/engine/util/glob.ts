// Redis's glob matching (stringmatchlen) over bytes: * ? [abc] [^a-z] and \ escapes; for KEYS, SCAN
// MATCH, PSUBSCRIBE, CONFIG GET. nocase for CONFIG GET.
export function globMatch(pattern: Buffer, str: Buffer, nocase = false): boolean {
  // stringmatchlen's loop runs only while both are non-empty: an empty string matches the empty
  // pattern alone, not even `*` (KEYS, SCAN MATCH and ACL `~*` special-case a lone `*` before
  // matching; `**`, PSUBSCRIBE `*` and HSCAN MATCH `*?*`... never see an empty key, channel or field).
  if (str.length === 0) return pattern.length === 0;
  return match(pattern, 0, str, 0, nocase, 0, { giveUp: false });
}

export function globMatchStr(pattern: string, str: string, nocase = false): boolean {
  return globMatch(Buffer.from(pattern), Buffer.from(str), nocase);
}

const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Bounded backtracking, as Redis 7.0 bounds it: nesting past 1000 stars fails, and once the pattern
 * after some '*' matched no suffix of the string, no earlier '*' can help by matching more (that
 * would only start the same rest later), so every pending '*' gives up (`giveUp`). Without this,
 * `a*a*a*...*b` against a long run of `a`s is exponential.
 */
interface Backtrack {
  giveUp: boolean;
}

function match(p: Buffer, pi: number, s: Buffer, si: number, nocase: boolean, depth: number, bt: Backtrack): boolean {
  if (depth > 1000) return false; // Redis bounds recursion against hostile patterns too
  while (pi < p.length && si <= s.length) {
    const pc = p[pi];
    if (pc === 42) {
      // '*': collapse runs, then try every non-empty suffix (an empty one can only match trailing stars).
      while (pi + 1 < p.length && p[pi + 1] === 42) pi++;
      if (pi + 1 === p.length) return true;
      if (si === s.length) break;
      for (let k = si; k < s.length; k++) {
        if (match(p, pi + 1, s, k, nocase, depth + 1, bt)) return true;
        if (bt.giveUp) return false;
      }
      bt.giveUp = true;
      return false;
    }
    if (si >= s.length) return false;
    const sc = s[si];
    if (pc === 63) {
      // '?'
    } else if (pc === 91) {
      pi++;
      const not = p[pi] === 94;
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= p.length) { pi--; break; }
        if (p[pi] === 92 && pi + 2 <= p.length - 1) {
          pi++;
          if (p[pi] === sc) matched = true;
        } else if (p[pi] === 93) {
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === 45) {
          let a = p[pi];
          let b = p[pi + 2];
          let c = sc;
          if (a > b) [a, b] = [b, a];
          if (nocase) { a = lower(a); b = lower(b); c = lower(c); }
          pi += 2;
          if (c >= a && c <= b) matched = true;
        } else if (nocase ? lower(p[pi]) === lower(sc) : p[pi] === sc) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
    } else {
      let want = pc;
      if (pc === 92 && pi + 1 < p.length) want = p[++pi];
      if (nocase ? lower(want) !== lower(sc) : want !== sc) return false;
    }
    pi++;
    si++;
  }
  while (pi < p.length && p[pi] === 42) pi++;
  return pi === p.length && si === s.length;
}
