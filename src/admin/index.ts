// The admin library's public surface (used by src/commands/cluster and by `kvctl up cluster`).
export { createCluster, prepareCreate, applyCreate } from './create.js';
export type { CreateOpts, CreateResult, CreatePlan, CreatedMaster, CreatedNode } from './create.js';
export { checkCluster } from './check.js';
export type { CheckReport, CheckOpts, OpenSlot } from './check.js';
export { clusterInfo, clusterNodes } from './info.js';
export type { ClusterInfo, MasterInfo, NodeRow } from './info.js';
export { planPlacement, antiAffinityScore } from './placement.js';
export type { Plan, PlacementNode } from './placement.js';
export type { AuthOpts } from './client.js';
