// nodes.conf in Redis's format: one CLUSTER NODES line per node (open slots of myself in brackets)
// and a `vars currentEpoch N lastVoteEpoch M` line. Written to a temp file and renamed, so a crash
// never leaves half a file. The same line renderer serves CLUSTER NODES.
import { writeFileSync, renameSync, readFileSync, existsSync, openSync, fsyncSync, closeSync } from 'node:fs';
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
  if (n.myself) {
    for (const [s, to] of [...state.migrating].sort((a, b) => a[0] - b[0])) line += ` [${s}->-${to.id}]`;
    for (const [s, from] of [...state.importing].sort((a, b) => a[0] - b[0])) line += ` [${s}-<-${from.id}]`;
  }
  return line;
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

/** Atomic replace; `fsync` for epoch and vote changes that must survive a power loss (as Redis). */
export function writeNodesConf(path: string, state: ClusterState, fsync: boolean): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderNodesConf(state));
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
