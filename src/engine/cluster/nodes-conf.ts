// nodes.conf in Redis's format: one CLUSTER NODES line per node (open slots of myself in brackets)
// and a `vars currentEpoch N lastVoteEpoch M` line. The same line renderer serves CLUSTER NODES.
import { constants, writeFileSync, renameSync, readFileSync, existsSync, openSync, fsyncSync, fdatasyncSync, closeSync, fstatSync, writeSync, ftruncateSync } from 'node:fs';
import { ClusterNode } from './node.js';
import { formatRanges, parseRanges } from './slots.js';
import type { ClusterState } from './state.js';

/** One node's line as CLUSTER NODES prints it (myself's pong is the current second, as in Redis). */
export function describeNode(state: ClusterState, n: ClusterNode, now = Date.now()): string {
  const master = n.master ? n.master.id : (n.masterId ?? '-');
  const pong = n.myself ? Math.floor(now / 1000) * 1000 : n.pongReceived;
  const link = n.myself || n.linkUp ? 'connected' : 'disconnected';
  let line = `${n.id} ${n.ip}:${n.port}@${n.cport} ${n.flagsText()} ${master} ${n.myself ? 0 : n.pingSent} ${pong} ${n.shownEpoch} ${link}`;
  if (n.numSlots > 0) line += ' ' + formatRanges(n.ranges());
  if (n.myself) line += openSlotsText(state.migrating, '->-') + openSlotsText(state.importing, '-<-');
  return line;
}

/**
 * Myself's open slots in slot order, ` [slot->-id]` or ` [slot-<-id]` each. Its own small function
 * with a numeric sort: during a reshard every nodes.conf save renders up to ~100 of them, and V8
 * compiled the whole line renderer with a spread and a comparator sort inlined.
 */
function openSlotsText(open: Map<number, ClusterNode>, arrow: string): string {
  if (open.size === 0) return '';
  let out = '';
  for (const s of Int32Array.from(open.keys()).sort()) out += ` [${s}${arrow}${open.get(s)!.id}]`;
  return out;
}

/** CLUSTER NODES: every node's line, newline-terminated. */
export function describeCluster(state: ClusterState, now = Date.now()): string {
  let out = '';
  for (const n of state.nodes.values()) out += describeNode(state, n, now) + '\n';
  return out;
}

export function renderNodesConf(state: ClusterState): string {
  return describeCluster(state) + `vars currentEpoch ${state.currentEpoch} lastVoteEpoch ${state.lastVoteEpoch}\n`;
}

/** Files up to this size are rewritten in place by one write(2), which a crash cannot tear. */
const IN_PLACE_MAX = 4096;

/**
 * Writes nodes.conf on every change without leaving half a file behind. A reshard changes the config
 * several times per slot, and a temp file + rename per change cost ~0.3 ms (open with truncation,
 * a new inode, the rename): 3x the SETSLOT round trip of redis-server. As Redis 7.0 does, the file
 * stays open and is overwritten in place by a single write padded with newlines to the old length
 * (the loader skips blank lines), then truncated: a process killed at any point leaves either the
 * old or the new content. Bigger files (a write that may span pages) take the temp + rename path.
 * `fsync` (epochs, votes) makes the change durable before the caller goes on, as Redis.
 */
export class NodesConfWriter {
  private fd: number | null = null;
  /** Bytes in the file (the padding written last time is truncated away). */
  private size = 0;

  constructor(private readonly path: string) {}

  write(state: ClusterState, fsync: boolean): void {
    const data = Buffer.from(renderNodesConf(state));
    if (data.length > IN_PLACE_MAX) {
      this.close();
      replaceFile(this.path, data, fsync);
      return;
    }
    if (this.fd === null) {
      this.fd = openSync(this.path, constants.O_RDWR | constants.O_CREAT, 0o644);
      this.size = fstatSync(this.fd).size;
    }
    const out = this.size > data.length ? Buffer.concat([data, Buffer.alloc(this.size - data.length, 0x0a)]) : data;
    try {
      if (writeSync(this.fd, out, 0, out.length, 0) !== out.length) throw new Error('short write');
      if (fsync) fdatasyncSync(this.fd);
      if (out.length !== data.length) ftruncateSync(this.fd, data.length);
      this.size = data.length;
    } catch (e) {
      this.close(); // reopened (and its size re-read) by the next write
      throw e;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Atomic replace through a temp file and rename. */
export function replaceFile(path: string, data: Buffer, fsync: boolean): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  if (fsync) {
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  renameSync(tmp, path);
}

export class NodesConfError extends Error {}

/** Parses a nodes.conf into a state (myself is the line flagged myself); null when the file is missing. */
export function loadNodesConf(path: string, make: (myself: ClusterNode) => ClusterState): ClusterState | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') return null;
  return parseNodesConf(text, make);
}

export function parseNodesConf(text: string, make: (myself: ClusterNode) => ClusterState): ClusterState {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const rows = lines.filter((l) => !l.startsWith('vars ')).map((l, i) => {
    const f = l.split(' ');
    if (f.length < 8) throw new NodesConfError(`Unrecoverable error: corrupted cluster config file "${l}" (line ${i + 1}).`);
    return f;
  });
  const mine = rows.find((f) => f[2].split(',').includes('myself'));
  if (!mine) throw new NodesConfError('Unrecoverable error: corrupted cluster config file (no myself line).');
  const byId = new Map<string, ClusterNode>();
  const get = (id: string, myself = false) => {
    let n = byId.get(id);
    if (!n) byId.set(id, (n = new ClusterNode(id, myself)));
    return n;
  };
  const state = make(get(mine[0], true));
  for (const f of rows) {
    const n = get(f[0]);
    const [hostPort] = f[1].split(',');
    const at = hostPort.lastIndexOf('@');
    const colon = hostPort.lastIndexOf(':', at);
    n.ip = hostPort.slice(0, colon);
    n.port = Number(hostPort.slice(colon + 1, at));
    n.cport = Number(hostPort.slice(at + 1));
    const flags = f[2].split(',');
    n.fail = flags.includes('fail');
    n.pfail = flags.includes('fail?');
    n.noaddr = flags.includes('noaddr');
    n.nofailover = flags.includes('nofailover');
    if (flags.includes('handshake')) continue; // never confirmed: not worth keeping
    if (!n.myself) state.nodes.set(n.id, n);
    n.configEpoch = Number(f[6]);
    // As Redis: a recorded ping/pong means "recently", counted from now (detection restarts at load).
    if (!n.myself) {
      n.pingSent = Number(f[4]) ? Date.now() : 0;
      n.pongReceived = Number(f[5]) ? Date.now() : 0;
    }
    if (flags.includes('slave')) {
      state.setMaster(n, f[3] !== '-' ? get(f[3]) : null, 'slave');
    }
    for (const part of f.slice(8)) {
      if (part.startsWith('[')) {
        const m = /^\[(\d+)-([<>])-([0-9a-f]+)\]$/.exec(part);
        if (!m) throw new NodesConfError(`Unrecoverable error: bad open slot '${part}' in the cluster config file.`);
        (m[2] === '>' ? state.migrating : state.importing).set(Number(m[1]), get(m[3]));
        continue;
      }
      for (const [a, b] of parseRanges(part)) for (let s = a; s <= b; s++) state.assign(s, n);
    }
  }
  for (const n of state.nodes.values()) {
    // A replica's epoch in the file is its master's: only masters' epochs are meaningful.
    if (!n.isMaster) n.configEpoch = 0;
    // A master id with no line of its own stays a name until gossip introduces that node.
    if (n.master && !state.nodes.has(n.master.id)) state.setMaster(n, null, 'slave');
  }
  const vars = lines.find((l) => l.startsWith('vars '));
  if (vars) {
    const v = vars.split(' ');
    for (let i = 1; i + 1 < v.length; i += 2) {
      if (v[i] === 'currentEpoch') state.currentEpoch = Number(v[i + 1]);
      if (v[i] === 'lastVoteEpoch') state.lastVoteEpoch = Number(v[i + 1]);
    }
  }
  state.dirty = false;
  return state;
}
