// A queued command that cannot finish yet (a busy script, suspended so the loop can serve SCRIPT KILL)
// pauses EXEC: the rest of the queue runs when the command calls the function pauseExec returned.
import type { Client } from '../client.js';

const paused = new WeakMap<Client, { rest: (() => void) | null }>();

/** Called by a command EXEC is running; returns what to call once it has finished. */
export function pauseExec(c: Client): () => void {
  const p: { rest: (() => void) | null } = { rest: null };
  paused.set(c, p);
  return () => {
    paused.delete(c);
    p.rest?.();
  };
}

/** EXEC, after each queued command: true when it paused (then `rest` runs when it finishes). */
export function execPaused(c: Client, rest: () => void): boolean {
  const p = paused.get(c);
  if (!p) return false;
  p.rest = rest;
  return true;
}
