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

  /** Fields other modules append to a section they don't own (scripting's lines in memory). */
  private readonly extras = new Map<string, InfoProvider[]>();

  /** Appends a provider's fields to a section (after the owner's). */
  extend(section: string, provider: InfoProvider): void {
    const list = this.extras.get(section) ?? [];
    list.push(provider);
    this.extras.set(section, list);
  }

  /** Registers (or replaces) the provider of a section. */
  set(section: string, provider: InfoProvider): void {
    this.providers.set(section, provider);
  }

  /** Removes a section (a Sentinel prints no keyspace, replication ...). */
  drop(section: string): void {
    this.providers.delete(section);
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
      for (const x of this.extras.get(name) ?? []) fields.push(...x());
      if (fields.length === 0 && name !== 'keyspace' && name !== 'modules' && name !== 'errorstats') continue;
      const title = name === 'cpu' ? 'CPU' : name.charAt(0).toUpperCase() + name.slice(1);
      parts.push(`# ${title}\r\n` + fields.map(([k, v]) => `${k}:${v}\r\n`).join(''));
    }
    void this.srv;
    return parts.join('\r\n');
  }
}
