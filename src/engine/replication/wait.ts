// WAIT numreplicas timeout: blocks the client until that many replicas acknowledged its last write
// (or the timeout passes), asking the replicas for an ACK with REPLCONF GETACK once per turn (engine
// replicas ACK each applied read and need no asking).
import { blockingOf } from '../blocking/registry.js';
import type { Client } from '../client.js';
import type { CommandContext } from '../commands/table.js';
import { parseInt64 } from '../commands/args.js';
import type { Server } from '../server.js';
import type { ReplState } from './state.js';
import type { ReplStream } from './stream.js';

const NOT_ON_REPLICA = 'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';

export class Waits {
  private readonly waiting = new Set<Client>();
  private ackRequested = false;

  constructor(private readonly srv: Server, private readonly st: ReplState, private readonly stream: ReplStream) {}

  /** The offset a client must see acknowledged: the end of the stream after its last write. */
  static woff(c: Client): number {
    return c.ext.replWoff ?? 0;
  }

  command(ctx: CommandContext): void {
    const { srv, st } = this;
    const { client: c, reply, argv } = ctx;
    if (!st.isMaster) return reply.error(NOT_ON_REPLICA);
    const wantArg = parseInt64(argv[1]);
    if (wantArg === null) return reply.error('ERR value is not an integer or out of range');
    const msArg = parseInt64(argv[2]);
    if (msArg === null) return reply.error('ERR timeout is not an integer or out of range');
    if (msArg < 0n) return reply.error('ERR timeout is negative');
    const want = Number(wantArg);
    const ms = Number(msArg);
    const woff = Waits.woff(c);
    const acked = st.ackedReplicas(woff);
    // Inside MULTI/EXEC (or without a socket) WAIT cannot block: it answers with the count now.
    if (acked >= want || srv.dispatch.depth > 1 || !c.socket) return reply.int(acked);
    this.waiting.add(c);
    const deadline = ms > 0 ? Date.now() + ms : 0;
    blockingOf(srv).block(c, c.db, [], deadline, () => {
      const n = st.ackedReplicas(woff);
      if (n < want) return false;
      this.waiting.delete(c);
      c.reply.int(n);
      return true;
    }, () => {
      this.waiting.delete(c);
      c.reply.int(st.ackedReplicas(woff));
    });
    this.requestAcks();
  }

  private requestAcks(): void {
    if (this.ackRequested) return;
    // Replicas that ACK each applied read will ACK what they were sent unasked: a GETACK would only
    // make each of them ACK twice (a read, a write and a wake-up more on both sides per WAIT). With
    // only such replicas and the stream already out, this turn has nothing to send for the WAIT.
    const needsGetack = () => this.st.replicas.some((l) => !l.acksEachRead);
    if (!needsGetack() && !this.stream.pending()) return;
    this.ackRequested = true;
    setImmediate(() => {
      this.ackRequested = false;
      if (this.waiting.size === 0) return;
      if (needsGetack()) this.stream.feedControl(['REPLCONF', 'GETACK', '*']);
      // Out now, behind this turn's writes: left to the stream's own setImmediate, the bytes would
      // wait one more loop iteration (queued from inside the check phase).
      this.stream.flush();
    });
  }

  /** ACKs arrived: serve the clients whose offset is now acknowledged by enough replicas. */
  onAck(): void {
    if (this.waiting.size === 0) return;
    for (const c of [...this.waiting]) {
      if (c.closed || !c.blocked) this.waiting.delete(c);
      else c.blocked.tryServe();
    }
  }
}
