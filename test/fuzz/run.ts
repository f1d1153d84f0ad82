// `npm run fuzz -- [--seed N] [--commands N] [--frames N] [--only commands|frames]` (FUZZ_ONLY=cmd,cmd...
// limits the commands): long fuzz runs
// against a local redis-server, printing the report (differences grouped by command) and figures.
import { formatCommandReport, runCommandFuzz } from './commands.js';
import { formatFrameReport, runFrameFuzz } from './frames.js';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : '';
const seed = flag('seed', Date.now() % 100000);
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
let failed = false;

if (only !== 'frames') {
  const commands = flag('commands', 20000);
  const perSeq = 40;
  log(`command fuzz, seed ${seed}, ${commands} commands`);
  const rep = await runCommandFuzz({ seed, sequences: Math.ceil(commands / perSeq), commandsPerSequence: perSeq, redisPort: 10700, enginePort: 10701, progress: log });
  process.stdout.write(formatCommandReport(rep) + '\n');
  failed ||= rep.engineExits.length + rep.hangs.length + rep.internalErrors.length > 0;
}
if (only !== 'commands') {
  const frames = flag('frames', 200000);
  log(`frame fuzz, seed ${seed}, ${frames} frames`);
  const rep = await runFrameFuzz({ seed, frames, port: 10710, progress: log });
  process.stdout.write(formatFrameReport(rep) + '\n');
  failed ||= !rep.ok;
}
process.exit(failed ? 1 : 0);
