// The cluster check of every keyed command (dispatch guard, order 10), as Redis's getNodeByQuery: all
// keys must hash to one slot served here, else MOVED / ASK / TRYAGAIN / CROSSSLOT / CLUSTERDOWN.
// It reads keys where they are: owned argv, or the read buffer for a command dispatch runs on a view
// (viewGuard), so a cluster node's GET/SET keep the lazy path's no-copy arguments.
import type { Client } from '../client.js';
import type { Command } from '../commands/table.js';
import type { Guard, ViewGuard } from '../dispatch.js';
import type { CommandArgs } from '../protocol/command-args.js';
import type { Cluster } from './cluster.js';
import { keyRangeHashSlot } from './crc16.js';
import type { ClusterNode } from './node.js';
import { holdWrite } from './failover.js';

export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
const TRYAGAIN = 'TRYAGAIN Multiple keys request during rehashing of slot';
const UNSERVED = 'CLUSTERDOWN Hash slot not served';

const redirect = (kind: 'MOVED' | 'ASK', slot: number, n: ClusterNode) => `${kind} ${slot} ${n.ip}:${n.port}`;

const EMPTY = Buffer.alloc(0);

/** What a request's keys say, gathered key by key; one per guard, reset per request (never re-entered). */
class KeyRoute {
  slot = -1;
  owner: ClusterNode | null = null;
  private first: Buffer = EMPTY;
  private firstStart = 0;
  private firstEnd = 0;
  multipleKeys = false;
  migrating = false;
  importing = false;
  missing = 0;
  existing = 0;
  write = false;
  hasAskingFlag = false;
  shardPubsub = false;

  constructor(private readonly cl: Cluster) {}

  reset(): this {
    this.slot = -1;
    this.owner = null;
    this.first = EMPTY;
    this.multipleKeys = this.migrating = this.importing = false;
    this.missing = this.existing = 0;
    this.write = this.hasAskingFlag = this.shardPubsub = false;
    return this;
  }

  /** A keyed command of the request: its flags count. */
  command(qc: Command): void {
    this.write ||= qc.isWrite;
    this.shardPubsub ||= qc.flags.has('pubsub'); // SSUBSCRIBE / SPUBLISH: the channel's slot
    this.hasAskingFlag ||= qc.flags.has('asking');
  }

  /** The key b[start, end): an error that ends the check (UNSERVED, CROSSSLOT), or null. */
  key(c: Client, b: Buffer, start: number, end: number): string | null {
    const s = keyRangeHashSlot(b, start, end);
    if (this.slot < 0) {
      const st = this.cl.state;
      this.slot = s;
      this.first = b;
      this.firstStart = start;
      this.firstEnd = end;
      this.owner = st.slots[s];
      if (!this.owner) return UNSERVED;
      this.migrating = this.owner === st.myself && st.migrating.has(s);
      this.importing = !this.migrating && st.importing.has(s);
    } else if (s !== this.slot) return CROSSSLOT;
    else if (!this.multipleKeys && b.compare(this.first, this.firstStart, this.firstEnd, start, end) !== 0) this.multipleKeys = true;
    if (this.migrating || this.importing) {
      // keyFor: the stored key when present (no new string), and the command's own lookup of it next
      // finds it remembered.
      if (c.db.has(c.db.data.keyFor(b, start, end))) this.existing++;
      else this.missing++;
    }
    return null;
  }

  /** The keys of one command given as owned argv. */
  argvKeys(c: Client, qc: Command, qa: Buffer[]): string | null {
    const positions = qc.keyPositions(qa);
    if (positions.length === 0) return null;
    this.command(qc);
    for (const p of positions) {
      const key = qa[p];
      if (key === undefined) continue;
      const err = this.key(c, key, 0, key.length);
      if (err !== null) return err;
    }
    return null;
  }

  /** After every key: where the request goes (null: served here). */
  decide(c: Client, cmd: Command, asking: boolean): string | null {
    const st = this.cl.state;
    const slot = this.slot;
    if (!st.ok) {
      const config = this.cl.srv.config;
      if (this.shardPubsub) {
        if (!config.bool('cluster-allow-pubsubshard-when-down')) return 'CLUSTERDOWN The cluster is down';
      } else if (!config.bool('cluster-allow-reads-when-down')) return 'CLUSTERDOWN The cluster is down';
      else if (this.write) return 'CLUSTERDOWN The cluster is down and only accepts read commands';
    }
    if ((this.migrating || this.importing) && cmd.name === 'migrate') return null;
    if (this.migrating && this.missing > 0) return this.existing > 0 ? TRYAGAIN : redirect('ASK', slot, st.migrating.get(slot) as ClusterNode);
    if (this.importing && (asking || this.hasAskingFlag)) return this.multipleKeys && this.missing > 0 ? TRYAGAIN : null;
    // Replicas serve reads in READONLY mode, and sharded pub/sub always (as Redis 7.0).
    const me = st.myself;
    if ((c.readOnlyMode || this.shardPubsub) && !this.write && !me.isMaster && me.master === this.owner) return null;
    return this.owner === me ? null : redirect('MOVED', slot, this.owner as ClusterNode);
  }
}

/**
 * Whether the guard would let a command run here now, judged without its side effects (ASKING
 * spent, a write held during a failover's pause): for a command started ahead of its turn.
 */
export function servedHere(cl: Cluster, c: Client, cmd: Command, argv: Buffer[]): boolean {
  if (c.asking || c.isMaster || !c.socket || !cl.myself.isMaster || cl.failover.pausedUntil !== 0) return false;
  const route = new KeyRoute(cl);
  if (route.argvKeys(c, cmd, argv) !== null) return false;
  return route.slot < 0 || route.decide(c, cmd, false) === null;
}

export function clusterGuard(cl: Cluster): { guard: Guard; viewGuard: ViewGuard } {
  const route = new KeyRoute(cl);

  /** What every command goes through first; true: the guard has nothing more to say. */
  function exempt(c: Client, cmd: Command): boolean {
    if (cmd.name !== 'asking') c.asking = false; // ASKING is good for the next command only
    return c.isMaster || !c.socket; // the master's stream and internal callers obey
  }

  /** A replica is taking over after CLUSTER FAILOVER: writes wait until it has every acknowledged one
   * (the clock is read only while a pause is set). */
  function paused(): boolean {
    const until = cl.failover.pausedUntil;
    return until !== 0 && until > Date.now() && cl.myself.isMaster;
  }

  function finish(c: Client, cmd: Command, asking: boolean, isExec: boolean, err: string | null): string | null {
    if (err === null) err = route.slot < 0 ? null : route.decide(c, cmd, asking);
    if (err !== null && isExec && err !== UNSERVED) c.multi = null;
    return err;
  }

  const guard: Guard = (c, cmd, argv) => {
    const asking = c.asking;
    if (exempt(c, cmd)) return null;
    const isExec = cmd.name === 'exec' && !cmd.parent;
    const queue = isExec ? (c.multi?.queue ?? []) : null;
    if (paused() && (queue === null ? !c.multi && cmd.isWrite : queue.some((q) => q.cmd.isWrite))) {
      holdWrite(cl, c);
      return 'held';
    }
    route.reset();
    let err: string | null = null;
    if (queue === null) err = route.argvKeys(c, cmd, argv);
    else for (let i = 0; i < queue.length && err === null; i++) err = route.argvKeys(c, queue[i].cmd, queue[i].argv);
    return finish(c, cmd, asking, isExec, err);
  };

  // A command on a view is never EXEC nor inside MULTI (dispatch.executeArgs).
  const viewGuard: ViewGuard = (c, cmd, args: CommandArgs) => {
    const asking = c.asking;
    if (exempt(c, cmd)) return null;
    if (cmd.isWrite && paused()) {
      holdWrite(cl, c);
      return 'held';
    }
    if (cmd.getKeysFn !== undefined) return finish(c, cmd, asking, false, route.reset().argvKeys(c, cmd, args.argv()));
    route.reset();
    if (cmd.firstKey <= 0 || cmd.firstKey >= args.count) return null;
    route.command(cmd);
    const last = cmd.lastKey < 0 ? args.count + cmd.lastKey : cmd.lastKey;
    const step = cmd.step || 1;
    let err: string | null = null;
    for (let i = cmd.firstKey; i <= last && i < args.count && err === null; i += step) err = route.key(c, args.buf, args.startOf(i), args.endOf(i));
    return finish(c, cmd, asking, false, err);
  };

  return { guard, viewGuard };
}
