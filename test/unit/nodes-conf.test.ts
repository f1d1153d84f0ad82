import { describe, expect, it } from 'vitest';
import { ClusterNode } from '../../src/engine/cluster/node.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseNodesConf, renderNodesConf, describeNode, loadNodesConf, NodesConfWriter } from '../../src/engine/cluster/nodes-conf.js';
import { ClusterState } from '../../src/engine/cluster/state.js';

// A replica's nodes.conf as redis-server 7.0.15 wrote it, with an open slot added on myself.
const REDIS_FILE = `fb4ae1a30e93ff230b8a2d2c99bfadf511eaab0e 127.0.0.1:14993@24993 myself,slave f71a5682e90ebf6cbc77ba8b4077ba4738697bba 0 1795552693000 3 connected
f71a5682e90ebf6cbc77ba8b4077ba4738697bba 127.0.0.1:14992@24992 master - 0 1795552693987 3 connected 10923-16383
1c42fded583b06ffd27afb7478f20b63419cb968 127.0.0.1:14995@24995 slave 88b04c7888f6dfa4bfa94c61d7a8a155fc1c16f9 0 1795552693987 2 connected
88b04c7888f6dfa4bfa94c61d7a8a155fc1c16f9 127.0.0.1:14991@24991 master,fail - 1795552693000 1795552693987 2 disconnected 5461-10922
1583183a6e2632d5f863109dd49003f9e233086a 127.0.0.1:14990@24990 master - 0 1795552693886 1 connected 0-5460
vars currentEpoch 6 lastVoteEpoch 4
`;

const load = (text: string) => parseNodesConf(text, (me) => new ClusterState(me));

describe('nodes.conf', () => {
  it('loads a file written by redis-server', () => {
    const st = load(REDIS_FILE);
    expect(st.myself.id).toBe('fb4ae1a30e93ff230b8a2d2c99bfadf511eaab0e');
    expect(st.myself.role).toBe('slave');
    expect(st.myself.master?.id).toBe('f71a5682e90ebf6cbc77ba8b4077ba4738697bba');
    expect(st.nodes.size).toBe(5);
    expect(st.currentEpoch).toBe(6);
    expect(st.lastVoteEpoch).toBe(4);
    const m = st.node('88b04c7888f6dfa4bfa94c61d7a8a155fc1c16f9') as ClusterNode;
    expect(m.fail).toBe(true);
    expect(m.numSlots).toBe(5462);
    expect(m.replicas.size).toBe(1);
    expect(st.slots[0]?.port).toBe(14990);
    expect(st.slots[16383]?.cport).toBe(24992);
    expect(st.node('1c42fded583b06ffd27afb7478f20b63419cb968')?.shownEpoch).toBe(2);
  });

  it('writes what it read: lines, flags, open slots and vars', () => {
    const st = load(REDIS_FILE);
    st.myself.role = 'master';
    st.setMaster(st.myself, null, 'master');
    st.migrating.set(5, st.node('1583183a6e2632d5f863109dd49003f9e233086a') as ClusterNode);
    st.importing.set(10923, st.node('f71a5682e90ebf6cbc77ba8b4077ba4738697bba') as ClusterNode);
    const text = renderNodesConf(st);
    expect(text).toMatch(/^fb4ae1a30e93ff230b8a2d2c99bfadf511eaab0e 127\.0\.0\.1:14993@24993 myself,master - 0 \d+ 0 connected \[5->-1583183a6e2632d5f863109dd49003f9e233086a\] \[10923-<-f71a5682e90ebf6cbc77ba8b4077ba4738697bba\]$/m);
    expect(text.endsWith('vars currentEpoch 6 lastVoteEpoch 4\n')).toBe(true);
    const again = load(text);
    expect(again.migrating.get(5)?.id).toBe('1583183a6e2632d5f863109dd49003f9e233086a');
    expect(again.importing.get(10923)?.id).toBe('f71a5682e90ebf6cbc77ba8b4077ba4738697bba');
    const clockless = (t: string) => t.split('\n').slice(1).map((l) => l.replace(/ \d+ \d+ (\d+ \w*connected)/, ' $1'));
    expect(clockless(renderNodesConf(again))).toEqual(clockless(text));
  });

  it('describes nodes in the CLUSTER NODES format (recorded pongs count from load time)', () => {
    const t0 = Date.now();
    const st = load(REDIS_FILE);
    const n = st.node('1c42fded583b06ffd27afb7478f20b63419cb968') as ClusterNode;
    expect(n.pongReceived).toBeGreaterThanOrEqual(t0);
    n.pongReceived = 1795552693987;
    expect(describeNode(st, n)).toBe('1c42fded583b06ffd27afb7478f20b63419cb968 127.0.0.1:14995@24995 slave 88b04c7888f6dfa4bfa94c61d7a8a155fc1c16f9 0 1795552693987 2 disconnected');
  });

  it('refuses a file without a myself line', () => {
    expect(() => load(REDIS_FILE.split('\n').slice(1).join('\n'))).toThrow(/myself/);
  });

  it('rewrites the file in place: a shorter config leaves no stale bytes, a big one is replaced whole', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kvctl-nodesconf-'));
    const file = path.join(dir, 'nodes.conf');
    const w = new NodesConfWriter(file);
    try {
      const st = load(REDIS_FILE);
      w.write(st, false);
      expect(readFileSync(file, 'utf8')).toBe(renderNodesConf(st));
      // Fewer nodes: the file shrinks to exactly the new content and loads back the same.
      st.nodes.delete('1c42fded583b06ffd27afb7478f20b63419cb968');
      w.write(st, true);
      expect(readFileSync(file, 'utf8')).toBe(renderNodesConf(st));
      expect(loadNodesConf(file, (me) => new ClusterState(me))?.nodes.size).toBe(4);
      // A config past one page goes through a temp file and rename; the writer then reopens the new file.
      for (let i = 0; i < 40; i++) {
        const n = new ClusterNode(i.toString(16).padStart(40, 'a'));
        Object.assign(n, { ip: '127.0.0.1', port: 20000 + i, cport: 30000 + i });
        st.nodes.set(n.id, n);
      }
      w.write(st, false);
      expect(readFileSync(file, 'utf8')).toBe(renderNodesConf(st));
      for (let i = 0; i < 40; i++) st.nodes.delete(i.toString(16).padStart(40, 'a'));
      w.write(st, false);
      expect(readFileSync(file, 'utf8')).toBe(renderNodesConf(st));
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
