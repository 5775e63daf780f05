#!/usr/bin/env node
/**
 * The `weft` command. It parses input, calls src/client (or the worker and
 * server modules), and renders results; it holds no logic of its own.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load';
import { TemporalServerUnavailableError } from '../temporal/servers';
import { DevServerStartError } from '../temporal/dev-server';
import { CliError, EXIT } from './exit-codes';
import { registerDev } from './commands/dev';
import { registerSetup } from './commands/setup';
import { registerDags } from './commands/dags';
import { registerSchedules } from './commands/schedules';
import { registerApi } from './commands/api';
import { registerRuns } from './commands/runs';
import { registerWorker } from './commands/worker';
import { registerQueue } from './commands/queue';
import { registerOutbox } from './commands/outbox';
import { TemporalUnavailableError } from '../client/connection';
import { RunInputError } from '../client/input-schema';
import { DagValidationError } from '../dag/validate';
import { startTracing, TracingConfigError, type Tracing } from '../telemetry/tracing';

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

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof ConfigError || err instanceof TracingConfigError) return EXIT.CONFIG;
  if (err instanceof TemporalServerUnavailableError || err instanceof DevServerStartError || err instanceof TemporalUnavailableError) return EXIT.UNAVAILABLE;
  if (err instanceof DagValidationError || err instanceof RunInputError) return EXIT.FAILURE;
  return EXIT.FAILURE;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  let tracing: Tracing | undefined;
  try {
    // Off unless OTEL_* asks for it; started before any client exists so their interceptors see it.
    tracing = await startTracing({ serviceName: `weft-${argv[2] ?? 'cli'}` });
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const code = exitCodeFor(err);
    // Commander already printed its own usage errors.
    if (!(err instanceof CommanderError)) console.error(`weft: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = code;
  } finally {
    await tracing?.shutdown();
  }
}

if (require.main === module) void main();
