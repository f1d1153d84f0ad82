// KVCTL_RESP_TRACE=PREFIX: each command this process sends over RespConn is recorded (send and reply
// times in ms since the process started, the node, the command's name with CLUSTER's subcommand and
// SETSLOT's slot and action; never other arguments, which may be passwords or keys) and written to
// PREFIX.<pid> at exit: an admin command's timeline (bench/reshard-probe.ts --timeline). Unset, it
// costs one check per command.
import { writeFileSync } from 'node:fs';

export type TraceFn = (sentAt: number, addr: string, args: readonly unknown[]) => void;

function start(prefix: string): TraceFn {
  const lines: string[] = [];
  process.on('exit', () => writeFileSync(`${prefix}.${process.pid}`, lines.join('\n') + '\n'));
  return (sentAt, addr, args) => {
    const name = String(args[0]);
    const cluster = /^cluster$/i.test(name);
    const words = cluster ? args.slice(0, /^setslot$/i.test(String(args[1])) ? 4 : 2).map(String).join(' ') : name;
    lines.push(`${sentAt.toFixed(3)} ${performance.now().toFixed(3)} ${addr} ${words}`);
  };
}

export const respTrace: TraceFn | undefined = process.env.KVCTL_RESP_TRACE ? start(process.env.KVCTL_RESP_TRACE) : undefined;
