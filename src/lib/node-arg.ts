// The NODE argument and --dir flag shared by the fault-injection commands (stop, start, restart, kill, pause, wait).
import { Args, Flags } from '@oclif/core';

export const nodeArg = {
  node: Args.string({ description: 'a node name, TOPOLOGY/NODE, or master / master:SLOT (whichever node is master now)', required: true }),
};

export const dirFlag = {
  dir: Flags.string({ description: 'folder holding the state folders (default $KVCTL_HOME or ./.kvctl)' }),
};
