// Busy scripts: a script that runs past busy-reply-threshold hands control back to the event loop
// (the VM's count hook suspends its coroutine), other clients get -BUSY meanwhile, SCRIPT KILL /
// FUNCTION KILL / SHUTDOWN NOSAVE are served, and the script resumes on the next turn.
import type { RunCtx } from './run-context.js';
import type { Scripting } from './state.js';
import { finishScript, type Suspended } from './runner.js';

export function continueBusy(sc: Scripting, rc: RunCtx, s: Suspended): void {
  let state = sc.vm.resume(s.T, 0);
  while (state.kind === 'yield') state = sc.vm.resume(s.T, 0);
  finishScript(sc, rc, s, state);
}
