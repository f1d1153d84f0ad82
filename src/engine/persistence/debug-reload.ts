// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE], as Redis 7.0's debugCommand: save the dataset to the RDB
// file, empty memory, load the file back. Test suites use it to check that a dataset survives its
// own serialization (every type, encodings, TTLs) without restarting the server.
import fs from 'node:fs';
import type { CommandContext } from '../commands/table.js';
import { debugSubcommands } from '../commands/debug.js';
import { is } from '../commands/args.js';
import { loadRdb } from './rdb.js';
import { rdbFile, saveSync } from './rdb-file.js';

function reload(ctx: CommandContext): void {
  const { srv, argv, reply } = ctx;
  let merge = false;
  let flush = true;
  let save = true;
  for (let j = 2; j < argv.length; j++) {
    if (is(argv[j], 'merge')) merge = true;
    else if (is(argv[j], 'noflush')) flush = false;
    else if (is(argv[j], 'nosave')) save = false;
    else return reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  if (save) {
    try {
      saveSync(srv);
    } catch {
      return reply.error('ERR');
    }
  }
  try {
    loadRdb(srv, fs.readFileSync(rdbFile(srv)), {}, flush ? 'replace' : merge ? 'overwrite' : 'add');
  } catch (e) {
    srv.log.warning(`Error trying to load the RDB dump: ${(e as Error).message}`);
    return reply.error('ERR Error trying to load the RDB dump');
  }
  srv.log.warning('DB reloaded by DEBUG RELOAD');
  reply.ok();
}

export function installDebugReload(): void {
  debugSubcommands.set('reload', reload);
}
