#!/usr/bin/env node
/**
 * The `weft` command. It parses input, calls src/client (or the worker and
 * server modules), and renders results; it holds no logic of its own.
 */
import { Command, CommanderError } from 'commander';
import { exitCodeFor } from './exit-codes';
import { registerDev } from './commands/dev';
import { registerSetup } from './commands/setup';
import { registerDags } from './commands/dags';
import { registerSchedules } from './commands/schedules';
import { registerApi } from './commands/api';
import { registerRuns } from './commands/runs';
import { registerWorker } from './commands/worker';
import { registerQueue } from './commands/queue';
import { registerOutbox } from './commands/outbox';

export function buildProgram(): Command {
  const program = new Command('weft')
    .description('Durable DAG workflows on Temporal')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureHelp({ sortSubcommands: true });
  registerDev(program);
  registerSetup(program);
  registerDags(program);
  registerSchedules(program);
  registerApi(program);
  registerRuns(program);
  registerWorker(program);
  registerQueue(program);
  registerOutbox(program);
  // Strict parsing everywhere: unknown flags and bad values are usage errors (exit 2).
  const strict = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(strict);
  };
  program.commands.forEach(strict);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // exit-codes.ts maps every error through the one taxonomy (src/errors).
    const code = exitCodeFor(err);
    // Commander already printed its own usage errors.
    if (!(err instanceof CommanderError)) console.error(`weft: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = code;
  }
}

if (require.main === module) void main();
