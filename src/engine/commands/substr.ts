// SUBSTR: GETRANGE's pre-2.0 name, with the same arguments and replies.
import type { CommandDef } from './table.js';
import { stringCommands } from './strings.js';

const getrange = stringCommands.find((c) => c.name === 'getrange');
export const substrCommands: CommandDef[] = getrange ? [{ name: 'substr', handler: getrange.handler }] : [];
