import type { Command } from 'commander';
import type { CliContext } from './main.ts';
import { register as exportCmd } from './export.ts';
import { register as importCmd } from './import.ts';
import { register as security } from './security.ts';
import { register as serve } from './serve.ts';
import { register as template } from './template.ts';
import { register as user } from './user.ts';
import { register as warnings } from './warnings.ts';

/** Subcommands contributed by other interface modules (server, Excel, accounts), registered in order. */
export const extraCommands: Array<(program: Command, ctx: CliContext) => void> = [template, importCmd, exportCmd, serve, user, security, warnings];
