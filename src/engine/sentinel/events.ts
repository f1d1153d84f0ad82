// Sentinel events in Redis's form: logged as `<type> <message>` and published on the channel named
// after the type (+sdown, +switch-master ...) to the Sentinel's own subscribers. "%@" messages start
// with the instance: `<kind> <name> <ip> <port>` plus ` @ <master> <ip> <port>` for non-masters.
import type { Server } from '../server.js';
import { pubsubOf } from '../pubsub/registry.js';
import type { Instance } from './instance.js';

export type EventLevel = 'warning' | 'notice';

export function describe(i: Instance): string {
  const own = `${i.kind} ${i.name} ${i.ip} ${i.port}`;
  if (!i.master) return own;
  return `${own} @ ${i.master.name} ${i.master.ip} ${i.master.port}`;
}

export class Events {
  constructor(private readonly srv: Server) {}

  /** `fmt` null: the message is the instance description alone (Redis's "%@"). */
  emit(level: EventLevel, type: string, i: Instance | null, extra?: string): void {
    let msg = i ? describe(i) : '';
    if (extra !== undefined) msg = i ? `${msg} ${extra}` : extra;
    this.srv.log[level](`${type} ${msg}`);
    pubsubOf(this.srv).publish(Buffer.from(type), Buffer.from(msg));
  }
}
