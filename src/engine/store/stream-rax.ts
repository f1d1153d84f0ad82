// XINFO STREAM's radix-tree-nodes: how many nodes Redis's radix tree has for the stream's node keys
// (16-byte big-endian master IDs). In a compressed radix tree a node starts at the root, at every
// position where keys branch, at each child of such a branching position, and at each key's end;
// runs between them are single compressed nodes.
export function raxNodeCount(masters: bigint[]): number {
  if (masters.length === 0) return 1;
  const keys = masters.map((id) => id.toString(16).padStart(32, '0'));
  const nodes = new Set<string>(['']);
  for (const k of keys) nodes.add(k);
  for (let i = 0; i + 1 < keys.length; i++) {
    const [a, b] = [keys[i], keys[i + 1]];
    let l = 0;
    while (l < 32 && a[l] === b[l]) l++;
    l -= l % 2; // whole bytes
    nodes.add(a.slice(0, l));
    nodes.add(a.slice(0, l + 2));
    nodes.add(b.slice(0, l + 2));
  }
  return nodes.size;
}
