// Consumer groups: the group's last-delivered ID and entries-read counter, its consumers, and the
// pending entries list (PEL) kept twice as Redis does: per group (ID -> NACK) and per consumer.
import type { StreamId } from './stream-id.js';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const ENTRIES_READ_INVALID = -1;

/** An ID-ordered map: a sorted key array (appends are the common case) and a Map for lookups. */
export class IdMap<V> {
  private keys: StreamId[] = [];
  private readonly map = new Map<StreamId, V>();

  get size(): number {
    return this.map.size;
  }

  get(id: StreamId): V | undefined {
    return this.map.get(id);
  }

  has(id: StreamId): boolean {
    return this.map.has(id);
  }

  /** Index of the first key >= id. */
  private lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keys[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(id: StreamId, v: V): void {
    if (!this.map.has(id)) {
      const n = this.keys.length;
      if (n === 0 || this.keys[n - 1] < id) this.keys.push(id);
      else this.keys.splice(this.lowerBound(id), 0, id);
    }
    this.map.set(id, v);
  }

  delete(id: StreamId): boolean {
    if (!this.map.delete(id)) return false;
    const n = this.keys.length;
    if (this.keys[n - 1] === id) this.keys.pop();
    else if (this.keys[0] === id) this.keys.shift();
    else this.keys.splice(this.lowerBound(id), 1);
    return true;
  }

  /** Entries with start <= id <= end, in ID order. */
  *range(start: StreamId, end: StreamId): Generator<[StreamId, V]> {
    for (let i = this.lowerBound(start); i < this.keys.length; i++) {
      const k = this.keys[i];
      if (k > end) return;
      yield [k, this.map.get(k) as V];
    }
  }

  *entries(): Generator<[StreamId, V]> {
    for (const k of [...this.keys]) {
      const v = this.map.get(k);
      if (v !== undefined) yield [k, v];
    }
  }

  first(): StreamId | undefined {
    return this.keys[0];
  }

  last(): StreamId | undefined {
    return this.keys[this.keys.length - 1];
  }
}

export interface Nack {
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

export class Consumer {
  readonly pel = new IdMap<Nack>();
  constructor(readonly name: Buffer, public seenTime: number) {}
}

export class ConsumerGroup {
  readonly pel = new IdMap<Nack>();
  /** By name (latin1 key); listed sorted by name bytes. */
  readonly consumers = new Map<string, Consumer>();

  constructor(readonly name: Buffer, public lastId: StreamId, public entriesRead: number) {}

  consumer(name: Buffer): Consumer | undefined {
    return this.consumers.get(name.latin1Slice(0, name.length));
  }

  /** Creates the consumer; undefined when it already exists. */
  createConsumer(name: Buffer, now: number): Consumer | undefined {
    const k = name.latin1Slice(0, name.length);
    if (this.consumers.has(k)) return undefined;
    const c = new Consumer(Buffer.from(name), now);
    this.consumers.set(k, c);
    return c;
  }

  /** Deletes a consumer and its pending entries; returns how many were pending. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const [id] of c.pel.entries()) this.pel.delete(id);
    this.consumers.delete(c.name.latin1Slice(0, c.name.length));
    return n;
  }

  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => Buffer.compare(a.name, b.name));
  }

  /** Adds or moves a pending entry to consumer c. */
  assign(id: StreamId, c: Consumer, deliveryTime: number, deliveryCount: number): Nack {
    const old = this.pel.get(id);
    if (old) {
      old.consumer.pel.delete(id);
      old.consumer = c;
      old.deliveryTime = deliveryTime;
      old.deliveryCount = deliveryCount;
      c.pel.set(id, old);
      return old;
    }
    const nack: Nack = { deliveryTime, deliveryCount, consumer: c };
    this.pel.set(id, nack);
    c.pel.set(id, nack);
    return nack;
  }

  /** Removes a pending entry (XACK); true when it was pending. */
  ack(id: StreamId): boolean {
    const nack = this.pel.get(id);
    if (!nack) return false;
    this.pel.delete(id);
    nack.consumer.pel.delete(id);
    return true;
  }

  memoryUsage(): number {
    return 128 + this.pel.size * 80 + this.consumers.size * 96;
  }

  clone(): ConsumerGroup {
    const g = new ConsumerGroup(Buffer.from(this.name), this.lastId, this.entriesRead);
    const map = new Map<Consumer, Consumer>();
    for (const [k, c] of this.consumers) {
      const nc = new Consumer(Buffer.from(c.name), c.seenTime);
      map.set(c, nc);
      g.consumers.set(k, nc);
    }
    for (const [id, n] of this.pel.entries()) {
      const nc = map.get(n.consumer) as Consumer;
      const nn: Nack = { deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: nc };
      g.pel.set(id, nn);
      nc.pel.set(id, nn);
    }
    return g;
  }
}
