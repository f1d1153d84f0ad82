// kvctl failover --coordinated under an application writing through the sentinels: every write the
// application saw acknowledged is on the new master afterwards (0 lost), the old master is a replica
// of the new one at once, and the command reports the window writes were unavailable.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { ENGINE_MAIN, KVCTL_BIN, stopAll } from '../helpers/procs.js';
import { PORTS } from '../helpers/ports.js';
import { masterPort, missing, roleOf, startSentinelTopo, startWriter, until } from './sentinel-kit.js';

afterAll(() => stopAll());

const base = PORTS.sentinel + 400;

describe.skipIf(!existsSync(ENGINE_MAIN))('kvctl failover --coordinated', () => {
  it('loses no acknowledged write (engine sentinels, engine nodes)', async () => {
    const t = await startSentinelTopo('engine', 'engine', base);
    const writer = startWriter(t.sentinelPorts);
    await until('the writer has written', () => writer.acked.length >= 100);
    const r = await execa(process.execPath, [KVCTL_BIN, 'failover', 'mymaster', '--coordinated', '--sentinel', `127.0.0.1:${t.sentinelPorts[0]}`, '--json', '--timeout', '30'], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const res = JSON.parse(String(r.stdout));
    const promoted = Number(String(res.to).split(':')[1]);
    expect(res.from).toBe(`127.0.0.1:${base}`);
    expect([base + 1, base + 2]).toContain(promoted);
    expect(res.unavailableMs).toBeGreaterThan(0);
    expect(res.pausedMs).toBeGreaterThanOrEqual(res.unavailableMs);
    // The old master follows the new one already when the command returns.
    expect((await roleOf(base)).slice(0, 2)).toEqual(['slave', promoted]);
    const before = writer.acked.length;
    await until('the writer writes to the new master', () => writer.acked.length >= before + 100, 20_000);
    await writer.stop();
    expect(await masterPort(t.sentinelPorts[1])).toBe(promoted);
    expect(writer.acked.length).toBeGreaterThan(200);
    // The count that matters: acknowledged writes missing on the new master.
    expect(await missing(promoted, writer.acked)).toEqual([]);
  }, 150_000);
});
