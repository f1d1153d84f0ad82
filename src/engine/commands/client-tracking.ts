// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: client-side caching switches, with Redis
// 7.0's checks and error texts. The invalidation machinery is tracking/tracker.ts.
import type { CommandContext, CommandDef } from './table.js';
import { is, parseInt64 } from './args.js';
import { SYNTAX } from './errors.js';
import { trackerOf } from '../tracking/tracker.js';

const latin1 = (b: Buffer): string => b.latin1Slice(0, b.length);
/** One prefix starts the other (Redis's stringCheckPrefix). */
const overlaps = (a: string, b: string): boolean => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b));

function tracking(ctx: CommandContext): void {
  const { srv, client: c, reply, argv } = ctx;
  let redirect = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'redirect') && more > 0) {
      j++;
      if (redirect !== 0) return reply.error('ERR A client can only redirect to a single other client');
      const id = parseInt64(argv[j]);
      if (id === null) return reply.error('ERR value is not an integer or out of range');
      if (!srv.clients.has(Number(id))) return reply.error('ERR The client ID you want redirect to does not exist');
      redirect = Number(id);
    } else if (is(argv[j], 'bcast')) opts.bcast = true;
    else if (is(argv[j], 'optin')) opts.optin = true;
    else if (is(argv[j], 'optout')) opts.optout = true;
    else if (is(argv[j], 'noloop')) opts.noloop = true;
    else if (is(argv[j], 'prefix') && more > 0) prefixes.push(latin1(argv[++j]));
    else return reply.error(SYNTAX);
  }
  const tr = trackerOf(srv);
  if (is(argv[2], 'off')) {
    tr.disable(c);
    return reply.ok();
  }
  if (!is(argv[2], 'on')) return reply.error(SYNTAX);
  const t = c.tracking;
  if (!opts.bcast && prefixes.length > 0) return reply.error('ERR PREFIX option requires BCAST mode to be enabled');
  if (t && t.bcast !== opts.bcast) return reply.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
  if (opts.bcast && (opts.optin || opts.optout)) return reply.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (opts.optin && opts.optout) return reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if (t && ((opts.optin && t.optout) || (opts.optout && t.optin))) {
    return reply.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
  }
  if (opts.bcast) {
    for (let i = 0; i < prefixes.length; i++) {
      const old = t?.prefixes.find((p) => overlaps(p, prefixes[i]));
      if (old !== undefined) return reply.error(`ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${old}'. Prefixes for a single client must not overlap.`);
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(prefixes[i], prefixes[j])) return reply.error(`ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`);
      }
    }
  }
  tr.enable(c, redirect, opts, prefixes);
  reply.ok();
}

function caching({ client: c, reply, argv }: CommandContext): void {
  const t = c.tracking;
  if (!t) return reply.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  if (is(argv[2], 'yes')) {
    if (!t.optin) return reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (is(argv[2], 'no')) {
    if (!t.optout) return reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else return reply.error(SYNTAX);
  t.caching = true;
  reply.ok();
}

function trackingInfo({ client: c, reply }: CommandContext): void {
  const t = c.tracking;
  const flags = [t ? 'on' : 'off'];
  if (t?.bcast) flags.push('bcast');
  if (t?.optin) flags.push('optin', ...(t.caching ? ['caching-yes'] : []));
  if (t?.optout) flags.push('optout', ...(t.caching ? ['caching-no'] : []));
  if (t?.noloop) flags.push('noloop');
  if (t?.brokenRedirect) flags.push('broken_redirect');
  reply.map(3);
  reply.bulk('flags');
  reply.set(flags.length);
  for (const f of flags) reply.bulk(f);
  reply.bulk('redirect');
  reply.int(t ? t.redirect : -1);
  reply.bulk('prefixes');
  const prefixes = t?.prefixes ?? [];
  reply.array(prefixes.length);
  for (const p of prefixes) reply.bulkLatin1(p);
}

export const clientTrackingCommands: CommandDef[] = [
  { name: 'client|tracking', handler: tracking },
  { name: 'client|caching', handler: caching },
  { name: 'client|getredir', handler: ({ client, reply }) => reply.int(client.tracking ? client.tracking.redirect : -1) },
  { name: 'client|trackinginfo', handler: trackingInfo },
];
