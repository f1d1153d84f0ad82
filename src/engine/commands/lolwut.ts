// LOLWUT [VERSION v] [args]: version 5 draws Georg Nees's "Schotter" (squares rotated and displaced
// more and more down the page) in braille characters, version 6 a small ANSI-coloured landscape;
// any other version prints just the version line, as redis-server 7.0 does. The drawings are the
// engine's own (Redis's are randomised too), with Redis's captions.
import type { CommandContext, CommandDef } from './table.js';
import { is, parseInt64 } from './args.js';
import { NOT_INTEGER } from './errors.js';
import { REDIS_COMPAT_VERSION } from '../version.js';

const VERSION_LINE = `Redis ver. ${REDIS_COMPAT_VERSION}\n`;

/** Integer arguments from argv[from] (defaults where absent), clamped; null after replying an error. */
function intArgs(ctx: CommandContext, from: number, defaults: number[], lo: number, hi: number): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < defaults.length; i++) {
    const a = ctx.argv[from + i];
    let v = defaults[i];
    if (a) {
      const n = parseInt64(a);
      if (n === null) {
        ctx.reply.error(NOT_INTEGER);
        return null;
      }
      v = Number(n);
    }
    out.push(Math.min(hi, Math.max(lo, v)));
  }
  return out;
}

/** A pixel canvas printed as braille: 2x4 pixels per character. */
function braille(w: number, h: number, on: (x: number, y: number) => boolean): string {
  const bits = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]];
  const lines: string[] = [];
  for (let y = 0; y < h; y += 4) {
    let line = '';
    for (let x = 0; x < w; x += 2) {
      let c = 0;
      for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 2; dx++) if (on(x + dx, y + dy)) c |= bits[dy][dx];
      line += String.fromCharCode(0x2800 + c);
    }
    lines.push(line);
  }
  return lines.join('\n');
}

function schotter(cols: number, perRow: number, perCol: number): string {
  const width = cols * 2;
  const side = Math.max(1, Math.floor(width / (perRow + 2)));
  const height = side * (perCol + 2);
  const pixels = new Uint8Array(width * height);
  let seed = 1;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
  const plot = (x: number, y: number) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi >= 0 && yi >= 0 && xi < width && yi < height) pixels[yi * width + xi] = 1;
  };
  for (let r = 0; r < perCol; r++) {
    for (let c = 0; c < perRow; c++) {
      const disorder = r / perCol;
      const angle = rnd() * disorder * (Math.PI / 4);
      const cx = side * (c + 1.5) + rnd() * disorder * side * 0.3;
      const cy = side * (r + 1.5) + rnd() * disorder * side * 0.3;
      const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([dx, dy]) => {
        const x = (dx * side) / 2;
        const y = (dy * side) / 2;
        return [cx + x * Math.cos(angle) - y * Math.sin(angle), cy + x * Math.sin(angle) + y * Math.cos(angle)];
      });
      for (let k = 0; k < 4; k++) {
        const [x0, y0] = corners[k];
        const [x1, y1] = corners[(k + 1) % 4];
        const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
        for (let s = 0; s <= steps; s++) plot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps);
      }
    }
  }
  return braille(width, height, (x, y) => x < width && y < height && pixels[y * width + x] === 1);
}

/** Rolling hills and a sun in the 16-colour ANSI palette (background-coloured spaces, as Redis's version 6). */
function landscape(cols: number, rows: number): string {
  const cell = (fg: number, bg: number) => `\x1b[0;${fg};${bg}m \x1b[0m`;
  const lines: string[] = [];
  for (let y = 0; y < rows; y++) {
    let line = '';
    for (let x = 0; x < cols; x++) {
      const hill = rows * (0.55 + 0.15 * Math.sin(x / 7) + 0.1 * Math.sin(x / 3.1));
      const sun = Math.hypot(x - cols * 0.75, (y - rows * 0.25) * 2) < rows * 0.3;
      line += y >= hill ? cell(30, 40) : sun ? cell(37, 47) : y > hill - 2 ? cell(90, 100) : cell(30, 40);
    }
    lines.push(line);
  }
  return lines.join('\n');
}

function lolwut(ctx: CommandContext): void {
  const { argv, reply } = ctx;
  let version = 7;
  let from = 1;
  if (argv.length >= 3 && is(argv[1], 'version')) {
    const v = parseInt64(argv[2]);
    if (v === null) return reply.error(NOT_INTEGER);
    version = Number(v);
    from = 3;
  }
  if (version === 5) {
    const a = intArgs(ctx, from, [66, 8, 12], 1, 1000);
    if (!a) return;
    return reply.verbatim(`${schotter(a[0], Math.min(a[1], 200), Math.min(a[2], 200))}\nGeorg Nees - schotter, plotter on paper, 1968. ${VERSION_LINE}`);
  }
  if (version === 6) {
    const a = intArgs(ctx, from, [80, 20], 1, 1000);
    if (!a) return;
    return reply.verbatim(`${landscape(a[0], a[1])}\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. ${VERSION_LINE}`);
  }
  reply.verbatim(VERSION_LINE);
}

export const lolwutCommands: CommandDef[] = [{ name: 'lolwut', handler: lolwut }];
