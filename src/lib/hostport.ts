import { UserError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port" (or "[v6]:port"); throws a usage error naming the bad argument. */
export function parseHostPort(s: string): HostPort {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port < 1 || port > 65535) {
    throw new UserError(`invalid address '${s}': expected HOST:PORT with a port from 1 to 65535`, 2);
  }
  return { host: m[1], port };
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
