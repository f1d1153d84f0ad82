// Disjoint port blocks per test area, all in 10000-19999 so cluster bus ports (port+10000) stay below
// Linux's ephemeral range and a developer's running topology (6379, 7001-7503) is never touched.
export const PORTS = {
  core: 10000, // engine core compat + integration: 10000-10999
  datatypes: 11000, // 11000-11999
  persistence: 12000, // 12000-12999
  replication: 13000, // 13000-13999
  cluster: 14000, // engine cluster mode: 14000-14999
  admin: 15000, // kvctl cluster admin over redis-server (150xx-152xx, 156xx) and engine nodes (153xx-155xx, 157xx)
  orchestrator: 16000, // kvctl up/down/status: 16000-16999
  // misc tests by literal port: fixes-* 17000-17011 and 17100-17109, acl-topology 17130-17142,
  // cluster-pubsub 17200-17215, acl/tracking 17300-17331, supervisor 17500-17999
  cli: 17000,
  sentinel: 18000, // 18000-18999
  bench: 19000, // bench/ only, never tests: 19000-19999
  scripting: 11100, // scripting (issue 15): 11100-11399
} as const;
