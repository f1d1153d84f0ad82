// One line per fault-injection command (`kvctl stop|start|restart|kill|pause|wait`).
import type { FaultResult, WaitResult } from '../orchestrator/faults.js';

export function renderFault(r: FaultResult): string {
  const who = `${r.topology}/${r.node} (${r.role}, ${r.address})`;
  switch (r.op) {
    case 'stop':
      return `${who} stopped (${r.how}); kvctl start ${r.topology}/${r.node} brings it back`;
    case 'kill':
      return `${who}: ${r.signal} sent to pid ${r.pid}; now ${r.state}${r.note ? ` (${r.note})` : ''}`;
    case 'pause':
      return `${who} paused (SIGSTOP, pid ${r.pid}) until ${r.resumesAt}, then resumed by the supervisor`;
    default:
      return `${who} ${r.state === 'waiting' ? 'waits' : 'started'}${r.state === 'running' && r.pid ? ` (pid ${r.pid})` : ''}${r.note ? `: ${r.note}` : ''}`;
  }
}

export function renderWait(r: WaitResult): string {
  return `${r.topology}/${r.node} (${r.address}) is ${r.role === 'down' ? 'down' : r.role === 'master' ? 'master' : 'a replica in sync'} after ${r.ms} ms`;
}
