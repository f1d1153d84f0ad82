// MODULE: the engine loads no native modules. MODULE LIST is empty; LOAD/LOADEX answer as Redis does
// when the library cannot be loaded and UNLOAD as for an unknown module (enable-module-command is
// checked by commands/protected.ts).
import type { CommandContext, CommandDef } from './table.js';

const HELP = [
  'MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
  'HELP',
  '    Prints this help.',
];

const cannotLoad = (ctx: CommandContext): void => {
  ctx.srv.log.warning(`Module ${ctx.argv[2].toString()} failed to load: this server loads no native modules`);
  ctx.reply.error('ERR Error loading the extension. Please check the server logs.');
};

export const moduleCommands: CommandDef[] = [
  { name: 'module|list', handler: (ctx) => ctx.reply.array(0) },
  { name: 'module|load', handler: cannotLoad },
  { name: 'module|loadex', handler: cannotLoad },
  { name: 'module|unload', handler: (ctx) => ctx.reply.error('ERR Error unloading module: no such module with that name') },
  {
    name: 'module|help',
    handler({ reply }) {
      reply.array(HELP.length);
      for (const l of HELP) reply.simple(l);
    },
  },
];
