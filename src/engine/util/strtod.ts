// C's strtod as Redis uses it where it accepts any prefix the C library parses and then checks what
// is left (SORT's scores): leading whitespace, decimal, hex floats, inf/infinity, nan; ERANGE on
// overflow and on underflow to zero or a subnormal.
const WS = /^[ \t\n\v\f\r]*/;
const DEC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?/;
const INF = /^[+-]?inf(?:inity)?/i;
const NAN = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;

export interface Strtod {
  value: number;
  /** Bytes consumed (0 when nothing parsed, as C sets endptr to the start). */
  end: number;
  erange: boolean;
}

export function strtod(s: string): Strtod {
  const ws = (WS.exec(s) as RegExpExecArray)[0].length;
  const t = s.slice(ws);
  let m = HEX.exec(t);
  if (m && (m[2].length > 0 || (m[3] ?? '').length > 0)) {
    const digits = m[2] + (m[3] ?? '');
    let v = 0;
    for (const ch of digits) v = v * 16 + parseInt(ch, 16);
    v *= 2 ** (Number(m[4] ?? 0) - 4 * (m[3] ?? '').length);
    if (m[1] === '-') v = -v;
    return finish(v, ws + m[0].length, digits.replace(/0/g, '') !== '');
  }
  m = INF.exec(t);
  if (m) return { value: m[0][0] === '-' ? -Infinity : Infinity, end: ws + m[0].length, erange: false };
  m = NAN.exec(t);
  if (m) return { value: NaN, end: ws + m[0].length, erange: false };
  m = DEC.exec(t);
  if (!m) return { value: 0, end: 0, erange: false };
  const mant = m[0].replace(/[eE].*$/, '');
  return finish(Number(m[0]), ws + m[0].length, /[1-9]/.test(mant));
}

function finish(v: number, end: number, nonZeroDigits: boolean): Strtod {
  const erange = !Number.isFinite(v) || (nonZeroDigits && Math.abs(v) < 2.2250738585072014e-308);
  return { value: v, end, erange };
}
