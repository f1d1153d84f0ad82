// The CLI as it runs from dist/cli.bundle.js (scripts/bundle-cli.mjs): oclif and every command in one
// file, so a command starts without Node resolving and compiling ~150 CommonJS modules one by one. oclif
// still does everything it does from bin/run.js (config, manifest, help, topics, flag parsing, errors);
// only the step that imports a command's file from disk is replaced by the bundled copy of that file, so
// the command runs against the same (bundled) oclif as the config that found it.
import { Plugin, flush, handle, run, type Command, type Interfaces } from '@oclif/core';

/** Command id ('cluster:create') -> the bundled module of its file (dist/commands/cluster/create.js). */
export type CommandModules = Record<string, { file: string; load: () => Promise<{ default?: unknown }> }>;

/** kvctl's root plugin with commands taken from the bundle; ids the bundle lacks go to oclif's loader. */
class BundledPlugin extends Plugin {
  constructor(options: Interfaces.PluginOptions, private readonly modules: CommandModules) {
    super(options);
  }

  override async findCommand(id: string, opts: { must: true }): Promise<Command.Class>;
  override async findCommand(id: string, opts?: { must: boolean }): Promise<Command.Class | undefined>;
  override async findCommand(id: string, opts: { must?: boolean } = {}): Promise<Command.Class | undefined> {
    const bundled = this.modules[id];
    if (!bundled) return super.findCommand(id, opts as { must: boolean });
    // What oclif's pattern strategy sets on a command class it imported (config/plugin.js findCommand);
    // isESM and relativePath are not in Command.Class's type.
    const cmd = (await bundled.load()).default as Command.Class & { isESM?: boolean; relativePath?: string[] };
    cmd.id = id;
    cmd.plugin = this;
    cmd.isESM = true;
    cmd.relativePath = bundled.file.split('/');
    return cmd;
  }
}

/** oclif's execute() (run, flush, handle) with the bundled commands; `root` is the package folder. */
export async function executeBundled(root: string, argv: string[], modules: CommandModules): Promise<unknown> {
  try {
    const plugin = new BundledPlugin({ root, isRoot: true, type: 'core' }, modules);
    await plugin.load();
    // Given plugins, oclif loads no others: kvctl declares none (no oclif.plugins, no plugin-plugins).
    const result = await run(argv, { root, plugins: new Map([[plugin.name, plugin]]) });
    flush();
    return result;
  } catch (error) {
    return handle(error as Error);
  }
}
