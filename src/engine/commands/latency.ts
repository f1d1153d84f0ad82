// LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR/HISTOGRAM/HELP. Every command's run time is taken around
// dispatch's call (installLatency): with latency-monitor-threshold > 0, runs at or above it (ms) are
// samples of the "command" or "fast-command" event (160 per event, one per second keeping the max,
// as Redis); with latency-tracking yes, each command's microseconds go to a per-command histogram
// reported in Redis's power-of-two buckets.
import type { Command, CommandContext, CommandDef } from './table.js';
import type { Server } from '../server.js';
import { cString } from './args.js';

const TS_LEN = 160;

interface Sample {
  time: number;
  latency: number;
}

interface Series {
  samples: Sample[];
  idx: number;
  max: number;
}

interface LatencyState {
  events: Map<string, Series>;
  /** Command full name -> bucket counts (bucket k: up to hdr's 1024 * 2^k ns) and calls. */
  histograms: Map<string, Histogram>;
}

const STATES = new WeakMap<Server, LatencyState>();

function state(srv: Server): LatencyState {
  let s = STATES.get(srv);
  if (!s) {
    s = { events: new Map(), histograms: new Map() };
    STATES.set(srv, s);
  }
  return s;
}

export function addLatencySample(srv: Server, event: string, ms: number): void {
  const st = state(srv);
  let ts = st.events.get(event);
  if (!ts) {
    ts = { samples: Array.from({ length: TS_LEN }, () => ({ time: 0, latency: 0 })), idx: 0, max: 0 };
    st.events.set(event, ts);
  }
  const now = Math.floor(Date.now() / 1000);
  if (ms > ts.max) ts.max = ms;
  const prev = ts.samples[(ts.idx + TS_LEN - 1) % TS_LEN];
  if (prev.time === now) {
    if (ms > prev.latency) prev.latency = ms;
    return;
  }
  ts.samples[ts.idx] = { time: now, latency: ms };
  ts.idx = (ts.idx + 1) % TS_LEN;
}

/** hdr_histogram's highest value equivalent to 1024 * 2^k ns at 2 significant digits, in microseconds. */
const bucketLabel = (k: number): number => Math.floor((1024 * 2 ** k + 8 * 2 ** k - 1) / 1000);

type Histogram = { calls: number; buckets: number[] };

/** Bucket k's upper bound in ns (hdr's 1024 * 2^k at 2 significant digits), computed once. */
const BOUNDS = Array.from({ length: 64 }, (_, k) => 1024 * 2 ** k + 8 * 2 ** k - 1);

function histogramOf(st: LatencyState, name: string): Histogram {
  let h = st.histograms.get(name);
  if (!h) {
    h = { calls: 0, buckets: [] };
    st.histograms.set(name, h);
  }
  return h;
}

function record(h: Histogram, us: number): void {
  h.calls++;
  const ns = us * 1000;
  let k = 0;
  while (ns > BOUNDS[k]) k++;
  h.buckets[k] = (h.buckets[k] ?? 0) + 1;
}

/** Times every command call (nested ones too: EXEC's, scripts'), from dispatch's clock reads. */
export function installLatency(srv: Server): void {
  // Read once and on CONFIG SET, not per command (a config lookup per call showed in profiles).
  let tracking = srv.config.bool('latency-tracking');
  let threshold = srv.config.int('latency-monitor-threshold');
  srv.config.onChange('latency-tracking', () => (tracking = srv.config.bool('latency-tracking')));
  srv.config.onChange('latency-monitor-threshold', () => (threshold = srv.config.int('latency-monitor-threshold')));
  const st = state(srv);
  // A pipeline repeats one command: its histogram is remembered (forgotten when they are cleared).
  let lastCmd: Command | null = null;
  let lastH: Histogram | null = null;
  srv.hooks.afterCall.push((_c, cmd, dt) => {
    const us = Math.floor(dt);
    // CONFIG RESETSTAT clears the histograms, then counts itself (as Redis).
    if (cmd.fullName === 'config|resetstat') {
      st.histograms.clear();
      lastCmd = null;
    }
    if (tracking) {
      if (cmd !== lastCmd || lastH === null) {
        lastCmd = cmd;
        lastH = histogramOf(st, cmd.fullName);
      }
      record(lastH, us);
    }
    const ms = Math.floor(us / 1000);
    if (threshold > 0 && ms >= threshold) addLatencySample(srv, cmd.flags.has('fast') ? 'fast-command' : 'command', ms);
  });
}

function ordered(ts: Series): Sample[] {
  const out: Sample[] = [];
  for (let j = 0; j < TS_LEN; j++) {
    const s = ts.samples[(ts.idx + j) % TS_LEN];
    if (s.time !== 0) out.push(s);
  }
  return out;
}

function latest(ctx: CommandContext): void {
  const { reply } = ctx;
  const events = [...state(ctx.srv).events];
  reply.array(events.length);
  for (const [name, ts] of events) {
    const last = ts.samples[(ts.idx + TS_LEN - 1) % TS_LEN];
    reply.array(4);
    reply.bulk(name);
    reply.int(last.time);
    reply.int(last.latency);
    reply.int(ts.max);
  }
}

function history(ctx: CommandContext): void {
  const ts = state(ctx.srv).events.get(ctx.argv[2].toString());
  const samples = ts ? ordered(ts) : [];
  ctx.reply.array(samples.length);
  for (const s of samples) {
    ctx.reply.array(2);
    ctx.reply.int(s.time);
    ctx.reply.int(s.latency);
  }
}

function reset(ctx: CommandContext): void {
  const events = state(ctx.srv).events;
  if (ctx.argv.length === 2) {
    const n = events.size;
    events.clear();
    return ctx.reply.int(n);
  }
  let n = 0;
  for (const a of ctx.argv.slice(2)) if (events.delete(a.toString())) n++;
  ctx.reply.int(n);
}

/** An ASCII chart of the event's samples: one column per sample, '#' up to its share of the maximum. */
function graph(ctx: CommandContext): void {
  const name = ctx.argv[2].toString();
  const ts = state(ctx.srv).events.get(name);
  if (!ts) return ctx.reply.error(`ERR No samples available for event '${cString(ctx.argv[2])}'`); // %s
  const samples = ordered(ts);
  const lat = samples.map((s) => s.latency);
  const hi = Math.max(...lat);
  const lo = Math.min(...lat);
  const rows = 4;
  const lines = [`${name} - high ${hi} ms, low ${lo} ms (all time high ${ts.max} ms)`, '-'.repeat(80)];
  for (let r = rows; r >= 1; r--) lines.push(lat.map((l) => (hi > 0 && l * rows >= r * hi ? '#' : r === 1 ? '_' : ' ')).join(''));
  const now = Math.floor(Date.now() / 1000);
  lines.push(samples.map((s) => String(Math.min(9, Math.floor((now - s.time) / 60)))).join(''));
  ctx.reply.verbatim(lines.join('\n') + '\n');
}

function doctor(ctx: CommandContext): void {
  const events = [...state(ctx.srv).events];
  if (ctx.srv.config.int('latency-monitor-threshold') === 0) {
    return ctx.reply.verbatim('I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n');
  }
  if (events.length === 0) {
    return ctx.reply.verbatim('Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n');
  }
  const lines = ["Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?", ''];
  events.forEach(([name, ts], i) => {
    const s = ordered(ts);
    const avg = s.reduce((a, x) => a + x.latency, 0) / s.length;
    const mad = s.reduce((a, x) => a + Math.abs(x.latency - avg), 0) / s.length;
    const span = s.length > 1 ? (s[s.length - 1].time - s[0].time) / s.length : 1;
    lines.push(`${i + 1}. ${name}: ${s.length} latency spikes (average ${Math.round(avg)}ms, mean deviation ${Math.round(mad)}ms, period ${span.toFixed(2)} sec). Worst all time event ${ts.max}ms.`);
  });
  lines.push('', 'I have a few advices for you:', '');
  lines.push('- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.');
  lines.push('- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.');
  ctx.reply.verbatim(lines.join('\n') + '\n');
}

function histogram(ctx: CommandContext): void {
  const { srv, reply, argv } = ctx;
  const all = state(srv).histograms;
  let names: string[];
  if (argv.length === 2) names = [...all.keys()];
  else {
    names = [];
    for (const a of argv.slice(2)) {
      const cmd = srv.table.lookup(a.toString().toLowerCase());
      if (!cmd) continue;
      if (cmd.subcommands.size) for (const s of cmd.subcommands.values()) names.push(s.fullName);
      else names.push(cmd.fullName);
    }
    names = names.filter((n) => all.has(n));
  }
  reply.map(names.length);
  for (const n of names) {
    const h = all.get(n) as { calls: number; buckets: number[] };
    reply.bulk(n);
    reply.map(2);
    reply.bulk('calls');
    reply.int(h.calls);
    reply.bulk('histogram_usec');
    const rows: [number, number][] = [];
    let cum = 0;
    for (let k = 0; k < h.buckets.length; k++) {
      if (!h.buckets[k]) continue;
      cum += h.buckets[k];
      rows.push([bucketLabel(k), cum]);
    }
    reply.map(rows.length);
    for (const [label, c] of rows) {
      reply.int(label);
      reply.int(c);
    }
  }
}

const HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];

export const latencyCommands: CommandDef[] = [
  { name: 'latency|latest', handler: latest },
  { name: 'latency|history', handler: history },
  { name: 'latency|reset', handler: reset },
  { name: 'latency|graph', handler: graph },
  { name: 'latency|doctor', handler: doctor },
  { name: 'latency|histogram', handler: histogram },
  {
    name: 'latency|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const l of HELP) reply.simple(l);
    },
  },
];
