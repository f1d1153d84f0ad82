// What SLOWLOG and MONITOR may show of a command: Redis 7.0 replaces secrets with "(redacted)" once
// the command has parsed far enough to know them (redactClientCommandArgument), so a command that
// fails earlier (AUTH with 3 arguments, HELLO with a bad protocol version, MIGRATE with an unknown
// option before AUTH) is shown as sent. Each rule below follows that command's own parse order.
import { parseInt64 } from './commands/args.js';
import type { Command } from './commands/table.js';

const REDACTED = Buffer.from('(redacted)');
const is = (b: Buffer | undefined, word: string): boolean => b !== undefined && b.length === word.length && b.latin1Slice().toLowerCase() === word;

/** CONFIG SET values Redis 7.0 flags SENSITIVE_CONFIG. */
const SENSITIVE_CONFIGS = new Set(['requirepass', 'masterauth', 'masteruser']);

/** Argument positions to hide, per command (full name, as `acl|setuser`). */
const RULES: Record<string, (argv: Buffer[]) => number[]> = {
  // AUTH [user] password: both, unless there are too many arguments (a syntax error first).
  auth: (argv) => (argv.length > 3 ? [] : argv.length === 3 ? [1, 2] : [1]),
  // HELLO [protover [AUTH user pass] [SETNAME name]]: after a valid protover, each complete AUTH pair
  // until the first bad option.
  hello: (argv) => {
    if (argv.length < 2) return [];
    const v = parseInt64(argv[1]);
    if (v === null || v < 2n || v > 3n) return [];
    const out: number[] = [];
    for (let j = 2; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      if (is(argv[j], 'auth') && more >= 2) {
        out.push(j + 1, j + 2);
        j += 2;
      } else if (is(argv[j], 'setname') && more >= 1) j++;
      else break;
    }
    return out;
  },
  // MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pass | AUTH2 user pass] [KEYS k...].
  migrate: (argv) => {
    const out: number[] = [];
    for (let j = 6; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      if (is(argv[j], 'copy') || is(argv[j], 'replace')) continue;
      if (is(argv[j], 'auth') && more >= 1) out.push(++j);
      else if (is(argv[j], 'auth2') && more >= 2) out.push(++j, ++j);
      else break; // KEYS ends the options; anything else is a syntax error
    }
    return out;
  },
  // CONFIG SET name value ...: every sensitive value, even when another pair is invalid (Redis checks them all).
  'config|set': (argv) => {
    if (argv.length < 4 || argv.length % 2 !== 0) return [];
    const out: number[] = [];
    for (let i = 2; i < argv.length; i += 2) if (SENSITIVE_CONFIGS.has(argv[i].latin1Slice().toLowerCase())) out.push(i + 1);
    return out;
  },
  // ACL SETUSER name rule...: everything after the subcommand, the name included.
  'acl|setuser': (argv) => argv.slice(2).map((_, i) => i + 2),
};

/** argv as SLOWLOG and MONITOR show it: a copy with secrets replaced, or argv itself when nothing is secret. */
export function shownArgs(cmd: Command, argv: Buffer[]): Buffer[] {
  const rule = RULES[cmd.fullName];
  if (!rule) return argv;
  const hide = rule(argv);
  if (hide.length === 0) return argv;
  const out = argv.slice();
  for (const i of hide) out[i] = REDACTED;
  return out;
}
