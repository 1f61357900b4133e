import type { Command } from 'commander';
import type { CliContext } from './main.ts';

/** Subcommands contributed by other interface modules (server, Excel, accounts), registered in order. */
export const extraCommands: Array<(program: Command, ctx: CliContext) => void> = [];
