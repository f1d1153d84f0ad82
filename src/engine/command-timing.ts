// The clock behind INFO commandstats usec, the slow log and the afterCall hooks (latency).
//
// Redis reads the clock before and after every call. Here, within one socket read, a run of
// consecutive top-level commands flagged `fast` in the command table is timed as a whole: one reading
// where the run starts (the read's own reading, or the end reading of the command before it) and one
// where it ends, the elapsed time shared equally among the run's commands. Their usec, slow log
// entries and afterCall hooks are recorded then, in order, so a run is closed before any other
// command runs (a non-fast one, which may read those figures: INFO, SLOWLOG, LATENCY, CONFIG
// RESETSTAT are not fast) and at the end of the read. Other commands are timed one by one, as Redis
// does. What differs from Redis is only how a run's time is split among its fast commands: the total
// is the same, each gets the run's mean. At -P 16 the clock reads were a tenth of PING's request path.
import { performance } from 'node:perf_hooks';
import type { Client } from './client.js';
import type { Command } from './commands/table.js';
import type { Server } from './server.js';
import { shownArgs } from './redact.js';
import { argvFromBytes, type CommandArgs } from './protocol/command-args.js';

/** One command's INFO commandstats counters (srv.commandStats). */
export interface CommandStat {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
}

/**
 * A fast command of the open run, recorded when the run closes, within the read that parsed it. Its
 * arguments are the argv the handler got, kept by reference, or for a command that came as a view
 * (CommandArgs, reused by the next command) where its bytes are in the read buffer: the slow log
 * copies them out only for an entry it logs.
 */
interface Deferred {
  c: Client | null;
  /** The client's name when the command ran (HELLO SETNAME and RESET are fast and change it). */
  name: string;
  cmd: Command | null;
  argv: Buffer[] | null;
  buf: Buffer | null;
  at: number;
  end: number;
  argName: Buffer | null;
  st: CommandStat | null;
}

export class CommandTimer {
  /**
   * The last performance.now() reading while one socket read's commands run, else -1: the next
   * command (or run) starts there, so a read costs one clock reading per command timed alone plus
   * one per run, instead of two per command.
   */
  private clock = -1;
  /** The open run's entries (reused between runs) and how many of them are in use. */
  private readonly run: Deferred[] = [];
  private runLen = 0;

  constructor(private readonly srv: Server) {}

  /** A socket read starts running commands; t is its performance.now() reading. */
  beginRead(t: number): void {
    this.clock = t;
  }

  /** The read's commands are done: records the open run (its argv are still valid now). */
  endRead(): void {
    if (this.runLen > 0) this.closeRun();
    this.clock = -1;
  }

  /** Whether a top-level fast command can join a run instead of being timed alone. */
  get sharing(): boolean {
    return this.clock >= 0;
  }

  /** Start reading for a command timed alone; an open run ends here (recorded first, in order). */
  start(): number {
    if (this.runLen > 0) return this.closeRun();
    return this.clock >= 0 ? this.clock : performance.now();
  }

  /** Records a command timed alone that started at t0; call.argv is read only for a slow log entry. */
  finish(c: Client, cmd: Command, call: { readonly argv: Buffer[] }, st: CommandStat, t0: number): void {
    const t1 = performance.now();
    if (this.clock >= 0) this.clock = t1;
    const dt = (t1 - t0) * 1000;
    const us = Math.round(dt);
    st.usec += us;
    const threshold = this.srv.slowlog.thresholdUs;
    if (threshold >= 0 && us >= threshold) this.srv.slowlog.push(c, shownArgs(cmd, call.argv), us, c.name);
    for (const h of this.srv.hooks.afterCall) h(c, cmd, dt);
  }

  /** Adds a fast command that just ran to the open run (opened at the current clock reading). */
  defer(c: Client, cmd: Command, args: Buffer[] | CommandArgs, st: CommandStat): void {
    let e = this.run[this.runLen];
    if (e === undefined) this.run.push((e = { c: null, name: '', cmd: null, argv: null, buf: null, at: 0, end: 0, argName: null, st: null }));
    this.runLen++;
    e.c = c;
    e.name = c.name;
    e.cmd = cmd;
    if (Array.isArray(args)) e.argv = args;
    else if ((e.argv = args.made) === null) {
      e.buf = args.buf;
      e.at = args.at;
      e.end = args.end;
      e.argName = args.name;
    }
    e.st = st;
  }

  /** Reads the clock once, shares the run's time among its commands and records them; returns the reading. */
  private closeRun(): number {
    const t1 = performance.now();
    const n = this.runLen;
    this.runLen = 0;
    const share = ((t1 - this.clock) * 1000) / n;
    this.clock = t1;
    // Whole microseconds handed out so far: each command gets the floor or ceiling of the share and
    // the run's commands add up to its rounded total (rounding each share alone would drop sub-µs runs).
    let given = 0;
    for (let i = 0; i < n; i++) {
      const e = this.run[i];
      const upTo = Math.round(share * (i + 1));
      const c = e.c as Client;
      const cmd = e.cmd as Command;
      const st = e.st as CommandStat;
      const us = upTo - given;
      const threshold = this.srv.slowlog.thresholdUs;
      if (threshold >= 0 && us >= threshold) {
        const argv = e.argv ?? argvFromBytes(e.buf as Buffer, e.at, e.end, e.argName as Buffer);
        this.srv.slowlog.push(c, shownArgs(cmd, argv), us, e.name);
      }
      // Dropped before recording: a read buffer or client is not kept alive by a spare entry.
      e.c = null;
      e.cmd = null;
      e.argv = null;
      e.buf = null;
      e.argName = null;
      e.st = null;
      st.usec += us;
      for (const h of this.srv.hooks.afterCall) h(c, cmd, share);
      given = upTo;
    }
    return t1;
  }
}
