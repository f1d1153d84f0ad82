// CLUSTER HELP and unknown CLUSTER subcommands against redis-server 7.0, with cluster mode on and off.
import { describe, expect, it } from 'vitest';
import { diff, script, usePair } from './harness.js';

const P = 11980; // this file: 11980-11983

const CASES = `
  CLUSTER HELP
  CLUSTER help
  CLUSTER HELP extra
  CLUSTER FOO
  CLUSTER
`;

describe('CLUSTER HELP matches redis-server', () => {
  const plain = usePair(P);
  const cluster = usePair(P + 2, ['--cluster-enabled', 'yes']);

  it('in cluster mode: the help text, its arity, an unknown subcommand', async () => {
    expect(await diff(cluster, script(CASES))).toEqual([]);
    // Both answered the text itself, not the same error.
    const help = await cluster.engine.call(['CLUSTER', 'HELP']);
    expect(help).toMatchObject({ t: 'array', v: expect.arrayContaining([{ t: 'simple', v: 'HELP' }]) });
    expect(help.t === 'array' && help.v?.length).toBe(56);
  });

  it('without cluster mode: refused as every CLUSTER subcommand is', async () => {
    expect(await diff(plain, script(CASES))).toEqual([]);
  });
});
