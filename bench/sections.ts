// Every bench section, selectable by name: `npm run bench -- core datatypes`. A section is either a
// BenchSection module (rows merged into the ratio table) or a standalone script run as a child.
import type { BenchSection } from './lib.js';
import { scriptSection } from './lib.js';
import { coreSection } from './core.js';
import { startupSection } from './startup.js';
import { replicationSection } from './replication.js';
import { clusterSection } from './cluster.js';
import { streamsSection } from './streams.js';
import { scriptingSection } from './scripting.js';
import { sentinelSection } from './sentinel.js';
import { datacmdsSection } from './datacmds.js';
import { aclSection } from './acl.js';
import { durableSection } from './durable.js';
import { datatypesSection } from './datatypes.js';

export const SECTIONS: BenchSection[] = [
  coreSection,
  startupSection,
  datatypesSection,
  scriptSection('persistence', './persistence.ts', 'SAVE and load time for 1M keys'),
  replicationSection,
  clusterSection,
  streamsSection,
  sentinelSection,
  datacmdsSection,
  aclSection,
  scriptSection('cluster-admin', './cluster-admin.ts', 'kvctl cluster admin against redis-cli --cluster'),
  scriptingSection,
  scriptSection('kill', './kill.ts', 'kvctl kill of the master to the first write the new master accepts, per topology: builtin engine against redis-server'),
  durableSection,
  scriptSection('up', './up.ts', 'kvctl up master-replica / up cluster to ready, kvctl failover: builtin engine against redis-server'),
];
