// redlock 5's types exist but its package.json "exports" hides them from NodeNext resolution: the
// part of its API the tests use.
declare module 'redlock' {
  import type { Cluster, Redis } from 'ioredis';
  export interface Lock {
    extend(duration: number): Promise<Lock>;
    release(): Promise<unknown>;
  }
  export default class Redlock {
    constructor(clients: (Redis | Cluster)[], settings?: { retryCount?: number; retryDelay?: number; driftFactor?: number });
    acquire(resources: string[], duration: number): Promise<Lock>;
  }
}
