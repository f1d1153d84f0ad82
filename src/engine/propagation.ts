// Propagation of writes to the AOF and the replication stream, in execution order, and the batching
// that makes EXEC's and scripts' writes reach them as one MULTI ... EXEC unit (as Redis 7.0).

/**
 * Who a propagated command is for: everyone, the replication stream only (PUBLISH, as Redis's
 * PROPAGATE_REPL), or the AOF only (a script's redis.set_repl(REPL_AOF), PROPAGATE_AOF).
 */
export type PropagationTarget = 'all' | 'replicas' | 'aof';

/** Receives every write in execution order: the AOF and the replication backlog. */
export interface PropagationSink {
  /** `target` 'replicas': only the replication stream takes it (the AOF skips it). */
  feed(dbId: number, argv: Buffer[], fromMaster: boolean, target?: PropagationTarget): void;
  /** False while feed() would drop everything (a master with no replica and no backlog). */
  wants?(): boolean;
}

interface Op {
  dbId: number;
  argv: Buffer[];
  fromMaster: boolean;
  target: PropagationTarget;
}

export class Propagation {
  /** The AOF and the replication stream register here (add/remove as they start and stop). */
  readonly sinks: PropagationSink[] = [];
  /** Writes held back while EXEC or a script runs; null outside a batch. */
  private batch: Op[] | null = null;

  /**
   * Whether any sink takes writes now. Handlers that build a costly propagated form (XREADGROUP's
   * XCLAIM per entry) skip it when not: nothing would read it.
   */
  get wanted(): boolean {
    for (const s of this.sinks) if (!s.wants || s.wants()) return true;
    return false;
  }

  propagate(dbId: number, argv: Buffer[], fromMaster: boolean, target: PropagationTarget = 'all'): void {
    if (this.batch) {
      this.batch.push({ dbId, argv, fromMaster, target });
      return;
    }
    for (const s of this.sinks) s.feed(dbId, argv, fromMaster, target);
  }

  /** Starts holding writes back (nested calls join the batch already open). */
  beginBatch(): void {
    this.batch ??= [];
  }

  /** Emits the batch: a single write goes alone (atomic anyway), more are wrapped like Redis 7.0. */
  endBatch(): void {
    const ops = this.batch;
    this.batch = null;
    if (!ops || ops.length === 0) return;
    const wrap = ops.length > 1;
    // The wrapper reaches every sink, even one that gets nothing inside it (Redis 7.0: an AOF-only
    // script's MULTI/EXEC reach replicas, and PUBLISH-only transactions leave MULTI/EXEC in the AOF).
    if (wrap) this.propagate(ops[0].dbId, [Buffer.from('MULTI')], ops[0].fromMaster);
    for (const op of ops) this.propagate(op.dbId, op.argv, op.fromMaster, op.target);
    const last = ops[ops.length - 1];
    if (wrap) this.propagate(last.dbId, [Buffer.from('EXEC')], last.fromMaster);
  }
}
