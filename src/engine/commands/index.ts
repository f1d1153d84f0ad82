// Every command family the engine implements. A family file exports CommandDef[]; facts (arity,
// flags, keys) come from the generated table, so adding a command is adding its handler here.
import type { CommandDef } from './table.js';
import { connectionCommands } from './connection.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server.js';
import { stringCommands } from './strings.js';
import { persistenceCommands } from './persistence.js';
import { listCommands } from './lists.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { zsetAlgebraCommands } from './zset-algebra.js';
import { bitCommands } from './bits.js';
import { lcsCommands } from './lcs.js';
import { expireCommands } from './expire.js';
import { clientCommands } from './client.js';
import { configCommands } from './config.js';
import { slowlogCommands } from './slowlog.js';
import { debugCommands } from './debug.js';
import { clusterCommands } from './cluster.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { monitorCommands } from './monitor.js';
import { replicationCommands } from './replication.js';
import { scriptingCommands } from './scripting.js';
import { functionCommands } from './functions.js';
import { streamCommands } from './streams.js';
import { streamGroupCommands } from './streams-groups.js';
import { streamReadCommands } from './streams-read.js';
import { streamInfoCommands } from './streams-info.js';
import { streamHelpCommands } from './streams-help.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { sortCommands } from './sort.js';
import { bitfieldCommands } from './bitfield.js';
import { moduleCommands } from './module.js';
import { substrCommands } from './substr.js';
import { memoryCommands } from './memory.js';
import { latencyCommands } from './latency.js';
import { lolwutCommands } from './lolwut.js';
import { aclCommands } from './acl.js';
import { clientPauseCommands } from './client-pause.js';
import { failoverCommands } from './failover.js';
import { clientTrackingCommands } from './client-tracking.js';

export const ALL_COMMANDS: CommandDef[] = [
  ...connectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...bitCommands,
  ...lcsCommands,
  ...expireCommands,
  ...clientCommands,
  ...configCommands,
  ...slowlogCommands,
  ...debugCommands,
  ...serverCommands,
  ...persistenceCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...zsetAlgebraCommands,
  ...clusterCommands,
  ...transactionCommands,
  ...pubsubCommands,
  ...monitorCommands,
  ...replicationCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...streamCommands,
  ...streamGroupCommands,
  ...streamReadCommands,
  ...streamInfoCommands,
  ...streamHelpCommands,
  ...hyperloglogCommands,
  ...geoCommands,
  ...sortCommands,
  ...bitfieldCommands,
  ...moduleCommands,
  ...substrCommands,
  ...memoryCommands,
  ...latencyCommands,
  ...lolwutCommands,
  ...aclCommands,
  ...clientPauseCommands,
  ...failoverCommands,
  ...clientTrackingCommands,
];
