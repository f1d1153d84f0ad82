// ACL LOG: refused commands, keys, channels and failed AUTHs, newest first, at most acllog-max-len.
// An entry like the newest-but-one seen within 60 s (same reason, context, object and user) is counted
// again and moved to the front instead of added, as Redis groups them.
export type LogReason = 'command' | 'key' | 'channel' | 'auth';
export type LogContext = 'toplevel' | 'multi' | 'lua';

export interface LogEntry {
  count: number;
  reason: LogReason;
  context: LogContext;
  object: string;
  username: string;
  /** ms timestamp of the latest occurrence. */
  ctime: number;
  clientInfo: string;
}

const GROUP_MS = 60_000;

export class AclLog {
  entries: LogEntry[] = [];

  add(e: Omit<LogEntry, 'count' | 'ctime'>, maxLen: number, now: number): void {
    const scan = Math.min(this.entries.length, 10);
    for (let i = 0; i < scan; i++) {
      const o = this.entries[i];
      if (o.reason === e.reason && o.context === e.context && o.object === e.object && o.username === e.username && now - o.ctime < GROUP_MS) {
        o.count++;
        o.ctime = now;
        o.clientInfo = e.clientInfo;
        this.entries.splice(i, 1);
        this.entries.unshift(o);
        return;
      }
    }
    this.entries.unshift({ ...e, count: 1, ctime: now });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
