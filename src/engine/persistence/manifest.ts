// The Redis 7 AOF manifest: one line per file, `file <name> seq <n> type <b|h|i>`, the base first,
// then history files, then the incremental files in order.
import { splitArgs } from '../protocol/split-args.js';
import { RdbError } from './errors.js';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

export interface Manifest {
  base: AofFileInfo | null;
  incrs: AofFileInfo[];
  history: AofFileInfo[];
}

export function parseManifest(text: string): Manifest {
  const m: Manifest = { base: null, incrs: [], history: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const argv = splitArgs(Buffer.from(line))?.map((a) => a.toString());
    if (!argv || argv.length % 2 !== 0) throw new RdbError(`Invalid AOF manifest file format: '${line}'`);
    const kv = new Map<string, string>();
    for (let i = 0; i < argv.length; i += 2) kv.set(argv[i], argv[i + 1]);
    const name = kv.get('file');
    const seq = Number(kv.get('seq'));
    const type = kv.get('type');
    if (!name || !Number.isInteger(seq) || (type !== 'b' && type !== 'h' && type !== 'i')) throw new RdbError(`Invalid AOF manifest file format: '${line}'`);
    const f: AofFileInfo = { name, seq, type };
    if (type === 'b') {
      if (m.base) throw new RdbError('Found duplicate base file information');
      m.base = f;
    } else if (type === 'h') m.history.push(f);
    else {
      if (m.incrs.length > 0 && seq <= m.incrs[m.incrs.length - 1].seq) throw new RdbError(`Found a non-monotonic sequence number in AOF manifest: '${line}'`);
      m.incrs.push(f);
    }
  }
  return m;
}

function quote(name: string): string {
  return /^[\x21-\x7e]+$/.test(name) && !/["'\\]/.test(name) ? name : JSON.stringify(name);
}

export function formatManifest(m: Manifest): string {
  const line = (f: AofFileInfo) => `file ${quote(f.name)} seq ${f.seq} type ${f.type}\n`;
  return (m.base ? line(m.base) : '') + m.history.map(line).join('') + m.incrs.map(line).join('');
}
