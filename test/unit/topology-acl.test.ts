import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../src/orchestrator/topology/load.js';
import { renderNode, nodePaths } from '../../src/orchestrator/render/index.js';
import { TopologyError } from '../../src/orchestrator/topology/errors.js';

// auth.users in topologies: rendered as `user` lines (and masteruser) on every data node, rules checked
// with the engine's ACL parser at load time.
const USERS = `
name: acl
kind: master-replica
base-port: 17100
replicas: 1
auth:
  masteruser: repl
  masterauth: rpw
  users:
    - { name: repl, password: rpw, rules: "+psync +replconf +ping" }
    - { name: app, passwords: [a1, "a 2"], rules: ["~app:*", "&*", "+@all", "-@dangerous"] }
    - { name: ro, nopass: true, enabled: false, rules: "%R~* +@read" }
`;

/** The load error's message (a TopologyError naming the file and path). */
const errorOf = (yaml: string): string => {
  let err: unknown;
  try { parseTopology(yaml, 'bad.yaml'); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(TopologyError);
  return (err as Error).message;
};

describe('topology auth.users', () => {
  it('renders user lines and masteruser on every data node', () => {
    const t = parseTopology(USERS);
    for (const n of t.nodes) {
      const conf = renderNode(t, n, nodePaths('/d', n));
      expect(conf).toContain('masterauth rpw\nmasteruser repl\n');
      expect(conf).toContain('user repl on >rpw +psync +replconf +ping\n');
      expect(conf).toContain('user app on >a1 ">a 2" ~app:* &* +@all -@dangerous\n');
      expect(conf).toContain('user ro off nopass %R~* +@read\n');
    }
  });

  it('reports bad rules with Redis\'s message, duplicates and an undeclared masteruser', () => {
    expect(errorOf(USERS.replace('+psync', '+nosuch'))).toMatch(/auth\.users\[0\]\.rules.*rule '\+nosuch' of user 'repl': Unknown command or category name in ACL/s);
    expect(errorOf(USERS.replace('masteruser: repl', 'masteruser: nobody'))).toMatch(/'nobody' is not one of auth.users \(allowed: repl, app, ro\)/);
    expect(errorOf(USERS.replace('name: ro', 'name: app'))).toMatch(/user 'app' is declared twice/);
    expect(errorOf(USERS.replace('name: ro', 'name: default'))).toMatch(/the default user must stay enabled/);
    expect(errorOf(USERS.replace('rules: "%R~* +@read"', 'rules: "~a ~* ~b"'))).toMatch(/rule '~b' of user 'ro': Adding a pattern after the \* pattern/);
    expect(errorOf(USERS.replace('nopass: true', 'nopass: yes-please'))).toMatch(/nopass/);
  });
});
