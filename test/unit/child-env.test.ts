// The environment kvctl gives its supervisor and nodes (orchestrator/engines.ts childEnv): without
// NODE_EXTRA_CA_CERTS, with glibc's malloc.hugetlb tunable added to whatever GLIBC_TUNABLES holds.
import { describe, expect, it } from 'vitest';
import { childEnv, mallocHugePages } from '../../src/orchestrator/engines.js';

describe('childEnv', () => {
  it('drops NODE_EXTRA_CA_CERTS and keeps everything else', () => {
    const env = childEnv({ PATH: '/bin', HOME: '/h', NODE_EXTRA_CA_CERTS: '/etc/ca.crt' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  });

  it('adds the huge-page tunable to the ones the user set, and keeps a hugetlb value of theirs', () => {
    expect(mallocHugePages(undefined)).toBe('glibc.malloc.hugetlb=1');
    expect(mallocHugePages('')).toBe('glibc.malloc.hugetlb=1');
    expect(mallocHugePages('glibc.malloc.arena_max=2')).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(mallocHugePages('glibc.malloc.hugetlb=0')).toBe('glibc.malloc.hugetlb=0');
    expect(mallocHugePages('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2')).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2');
    expect(childEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }).GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=0');
  });
});
