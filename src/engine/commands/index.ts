// Every command family the engine implements. A family file exports CommandDef[]; facts (arity,
// flags, keys) come from the generated table, so adding a command is adding its handler here.
import type { CommandDef } from './table.js';
import { connectionCommands } from './connection.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server.js';
import { stringCommands } from './strings.js';

export const ALL_COMMANDS: CommandDef[] = [
  ...connectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...serverCommands,
];
