import { Flags } from '@oclif/core';
import { sentinelAuthFlags } from '../../lib/auth-flags.js';
import { authFromFlags } from '../../lib/auth.js';
import { BaseCommand } from '../../lib/base-command.js';
import { kvctlHome } from '../../orchestrator/paths.js';
import { findManagedSentinel, renderSentinelStatus, sentinelStatus } from '../../admin/sentinel-status.js';
import { UserError } from '../../lib/errors.js';

export default class SentinelStatus extends BaseCommand {
  static override description = 'What a Sentinel sees: masters, replicas, other sentinels, quorum health (CKQUORUM) and its last events';
  static override examples = [
    '<%= config.bin %> sentinel status',
    '<%= config.bin %> sentinel status --sentinel 127.0.0.1:7502 --json',
  ];
  static override flags = {
    sentinel: Flags.string({ description: 'a Sentinel, HOST:PORT (default: the first sentinel of a topology kvctl runs, else 127.0.0.1:7501)' }),
    dir: Flags.string({ description: 'folder holding the state folders (default $KVCTL_HOME or ./.kvctl)' }),
    events: Flags.integer({ description: 'how many of the last events to show (from the log of a sentinel kvctl started)', default: 10 }),
    ...sentinelAuthFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SentinelStatus);
    if (flags.events < 0) throw new UserError(`invalid --events ${flags.events}: 0 or more`, 2);
    const managed = findManagedSentinel(kvctlHome(flags.dir));
    const address = flags.sentinel ?? managed?.address ?? '127.0.0.1:7501';
    const log = managed && managed.address === address ? managed.log : undefined;
    const st = await sentinelStatus(address, { auth: authFromFlags({ user: flags['sentinel-user'], password: flags['sentinel-password'] }), log, events: flags.events });
    if (flags.json) return this.printJson(st);
    this.log(renderSentinelStatus(st));
  }
}
