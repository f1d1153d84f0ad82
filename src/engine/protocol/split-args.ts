// Splits an inline request like Redis's sdssplitargs: spaces separate arguments, "double quotes" take
// \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \' only. Returns null on unbalanced quotes.
/** sdssplitargs' separators (isspace, and NUL). */
export const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12 || c === 0;
const hexVal = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

export function splitArgs(line: Buffer): Buffer[] | null {
  // Redis splits a C string: a NUL byte ends the line.
  const nul = line.indexOf(0);
  if (nul !== -1) line = line.subarray(0, nul);
  const out: Buffer[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    // Fast path: a plain token (no quote before the next space) is copied as it is; telnet-style
    // pipelines of PING or GET k are all plain tokens.
    let j = i;
    while (j < n && !isSpace(line[j]) && line[j] !== 34 && line[j] !== 39) j++;
    if (j === n || isSpace(line[j])) {
      out.push(Buffer.from(line.subarray(i, j)));
      i = j;
      continue;
    }
    const cur: number[] = [];
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      if (inDq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === 92 && i + 3 < n && line[i + 1] === 120 && hexVal(line[i + 2]) >= 0 && hexVal(line[i + 3]) >= 0) {
          cur.push(hexVal(line[i + 2]) * 16 + hexVal(line[i + 3]));
          i += 3;
        } else if (c === 92 && i + 1 < n) {
          i++;
          const e = line[i];
          cur.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
        } else if (c === 34) {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur.push(c);
        }
      } else if (inSq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === 92 && i + 1 < n && line[i + 1] === 39) {
          i++;
          cur.push(39);
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur.push(c);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const c = line[i];
        if (isSpace(c)) done = true;
        else if (c === 34) inDq = true;
        else if (c === 39) inSq = true;
        else cur.push(c);
      }
      if (i < n) i++;
    }
    out.push(Buffer.from(cur));
  }
}
