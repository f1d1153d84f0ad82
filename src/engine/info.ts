// INFO: sections in Redis's order, each a provider of `field:value` lines registered by the module
// that owns the facts (replication registers "replication", persistence "persistence", ...).
import type { Server } from './server.js';

export type InfoFields = [string, string | number][];
export type InfoProvider = () => InfoFields;

/** Sections in the order Redis prints them; `default` prints the ones marked true. */
const ORDER: [string, boolean][] = [
  ['server', true], ['clients', true], ['memory', true], ['persistence', true], ['stats', true],
  ['replication', true], ['cpu', true], ['modules', true], ['errorstats', true], ['cluster', true],
  ['keyspace', true], ['commandstats', false], ['latencystats', false], ['sentinel', true],
];

export class InfoRegistry {
  private readonly providers = new Map<string, InfoProvider>();

  constructor(private readonly srv: Server) {}

  /** Registers (or replaces) the provider of a section. */
  set(section: string, provider: InfoProvider): void {
    this.providers.set(section, provider);
  }

  /** Appends fields to a section; fields its provider already gives are not repeated. */
  extend(section: string, extra: InfoProvider): void {
    const base = this.providers.get(section) ?? (() => []);
    this.providers.set(section, () => {
      const fields = base();
      const have = new Set(fields.map(([k]) => k));
      return [...fields, ...extra().filter(([k]) => !have.has(k))];
    });
  }

  /** Renders the requested sections (none = default; all / everything / default accepted). */
  render(requested: string[]): string {
    const want = requested.map((s) => s.toLowerCase());
    const all = want.includes('all') || want.includes('everything');
    const dflt = want.length === 0 || want.includes('default');
    const parts: string[] = [];
    for (const [name, inDefault] of ORDER) {
      const p = this.providers.get(name);
      if (!p) continue;
      if (!(all || (dflt && inDefault) || want.includes(name))) continue;
      const fields = p();
      if (fields.length === 0 && name !== 'keyspace' && name !== 'modules' && name !== 'errorstats') continue;
      const title = name.charAt(0).toUpperCase() + name.slice(1);
      parts.push(`# ${title}\r\n` + fields.map(([k, v]) => `${k}:${v}\r\n`).join(''));
    }
    void this.srv;
    return parts.join('\r\n');
  }
}
