// The generated command facts as a record whose values are parsed from their JSON text each time they
// are read, never held parsed. Parsed, the facts are ~5,800 nodes (~17k heap objects) that the V8
// start-up snapshot would carry and every node started from it would deserialise (~6 ms of its
// start), though only the table build, COMMAND INFO/DOCS and ACL rules read them: Command.fact
// keeps what a command asked for. Reading every value (Object.values, spread) parses everything.
import type { FactNode } from './generated/command-facts.js';

/** `entries`: the generated `"name":{...}` JSON texts, one per command. */
export function lazyFacts(entries: readonly string[]): Record<string, FactNode> {
  const facts: Record<string, FactNode> = {};
  for (const e of entries) {
    const colon = e.indexOf('":');
    Object.defineProperty(facts, JSON.parse(e.slice(0, colon + 1)) as string, {
      enumerable: true,
      configurable: true, // mergeFacts redefines names both records have
      get: () => JSON.parse(e.slice(colon + 2)) as FactNode, // sliced when read: no second copy held
    });
  }
  return facts;
}

/** Several fact records as one (a later record's command wins), without parsing any. */
export function mergeFacts(...records: Record<string, FactNode>[]): Record<string, FactNode> {
  const merged: Record<string, FactNode> = {};
  for (const r of records) Object.defineProperties(merged, Object.getOwnPropertyDescriptors(r));
  return merged;
}
