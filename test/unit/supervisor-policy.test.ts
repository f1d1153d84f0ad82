// The supervisor's restart decision (src/orchestrator/supervisor/policy.ts) and the parsers its role
// watch reads nodes with.
import { describe, expect, it } from 'vitest';
import { decideRecovery, type DownNode } from '../../src/orchestrator/supervisor/policy.js';
import { keyCount, myselfOf, parseRole } from '../../src/orchestrator/supervisor/watch.js';

const node = (o: Partial<DownNode>): DownNode => ({ name: 'n1', kind: 'master-replica', role: 'master', persistence: 'none', replicas: 2, failover: 'promote', ...o });

describe('decideRecovery', () => {
  it('restarts sentinels, replicas and masters with an AOF at once', () => {
    expect(decideRecovery(node({ role: 'sentinel' }))).toMatchObject({ action: 'restart', mayLoseData: false });
    expect(decideRecovery(node({ role: 'replica' }))).toMatchObject({ action: 'restart', mayLoseData: false });
    expect(decideRecovery(node({ persistence: 'aof' }))).toMatchObject({ action: 'restart', mayLoseData: false });
    expect(decideRecovery(node({ kind: 'cluster', persistence: 'aof-always' }))).toMatchObject({ action: 'restart', mayLoseData: false });
  });

  it('never restarts a master with replicas and no durable persistence before the switch', () => {
    expect(decideRecovery(node({ kind: 'cluster' }))).toMatchObject({ action: 'after-switch', switch: 'cluster' });
    expect(decideRecovery(node({ kind: 'sentinel', persistence: 'rdb' }))).toMatchObject({ action: 'after-switch', switch: 'sentinel' });
    expect(decideRecovery(node({}))).toMatchObject({ action: 'after-switch', switch: 'promote' });
    const manual = decideRecovery(node({ failover: 'manual' }));
    expect(manual).toMatchObject({ action: 'after-switch', switch: 'manual' });
    expect(manual.why).toBe('n1 died as a master with no persistence and 2 replica(s); failover: manual, so waiting until a replica is promoted (REPLICAOF NO ONE) before restarting it as its replica');
  });

  it('restarts a standalone node or a master without replicas, saying that it loses data', () => {
    const alone = decideRecovery(node({ kind: 'standalone', replicas: 0 }));
    expect(alone).toMatchObject({ action: 'restart', mayLoseData: true });
    expect(alone.why).toBe('n1 died as a standalone node with no persistence: restarting it empty (its data is lost)');
    expect(decideRecovery(node({ kind: 'cluster', replicas: 0, persistence: 'rdb' })).why).toContain('from its last RDB snapshot (writes after it are lost)');
  });
});

describe('role watch parsers', () => {
  it('reads roles, offsets, replicas and keys from INFO', () => {
    expect(parseRole('# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:up\r\nslave_repl_offset:42\r\nconnected_slaves:0\r\n'))
      .toEqual({ role: 'replica', masterAddr: '127.0.0.1:7001', linkUp: true, offset: 42, replicas: 0 });
    expect(parseRole('role:master\r\nconnected_slaves:2\r\nmaster_repl_offset:99\r\n')).toEqual({ role: 'master', offset: 99, replicas: 2 });
    expect(keyCount('# Keyspace\r\ndb0:keys=10,expires=0,avg_ttl=0\r\ndb3:keys=5,expires=1,avg_ttl=9\r\n')).toBe(15);
    expect(keyCount('# Keyspace\r\n')).toBe(0);
  });

  it("finds the cluster node's own id and slots", () => {
    const text = 'abc 127.0.0.1:7002@17002 master - 0 1 2 connected 5461-10922\ndef 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [5461->-abc]\n';
    expect(myselfOf(text)).toEqual({ id: 'def', slots: '0-5460' });
  });
});
