#!/usr/bin/env node
/**
 * The `weft` command. It parses input, calls src/client (or the worker and
 * server modules), and renders results; it holds no logic of its own.
 *
 * Only the command that runs is loaded: each command's module imports the
 * Temporal SDK, the client and more, which took most of a second per
 * invocation. `weft --help` (or an unknown command) loads none of them and
 * lists the commands from the table below, which a unit test keeps equal to
 * what the modules register.
 */
import { Command, CommanderError, Help } from 'commander';
import { startTracing, type Tracing } from '../telemetry/tracing';

type Register = (program: Command) => void;

export interface CommandEntry {
  name: string;
  /** The term `weft --help` shows, as Commander renders it for the real command. */
  term: string;
  description: string;
  /** Loads the command's module (compiled to require() in dist/). */
  load(): Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'api', term: 'api [options]', description: 'Serve the Weft HTTP API (/v1); needs WEFT_API_TOKEN unless --insecure-no-auth', load: async () => (await import('./commands/api')).registerApi },
  { name: 'dags', term: 'dags', description: 'Validate, draw and list DAG definitions (YAML or JSON files)', load: async () => (await import('./commands/dags')).registerDags },
  { name: 'dev', term: 'dev [options]', description: 'Run Weft locally: an embedded Temporal dev server, its UI and a worker', load: async () => (await import('./commands/dev')).registerDev },
  { name: 'jobs', term: 'jobs', description: 'Single jobs on sharded job queues: one activity each, at queue speed, failures kept visible', load: async () => (await import('./commands/jobs')).registerJobs },
  { name: 'outbox', term: 'outbox', description: 'Transactional outbox: turn rows written in your PostgreSQL transactions into runs', load: async () => (await import('./commands/outbox')).registerOutbox },
  { name: 'queue', term: 'queue', description: 'FIFO queues per key: jobs of one key run one at a time, in the order accepted', load: async () => (await import('./commands/queue')).registerQueue },
  { name: 'runs', term: 'runs', description: 'Start, inspect, list, cancel, retry and approve DAG runs', load: async () => (await import('./commands/runs')).registerRuns },
  {
    name: 'schedules',
    term: 'schedules',
    description: 'Periodic DAG runs on Temporal Schedules: apply a schedules file, or manage one schedule at a time',
    load: async () => (await import('./commands/schedules')).registerSchedules,
  },
  {
    name: 'setup',
    term: 'setup [options]',
    description: 'Obtain the Temporal CLI dev server and the Java time-skipping test server (cached, idempotent)',
    load: async () => (await import('./commands/setup')).registerSetup,
  },
  {
    name: 'worker',
    term: 'worker [options]',
    description: 'Run a worker: the dagRun interpreter and the registered activities on one task queue',
    load: async () => (await import('./commands/worker')).registerWorker,
  },
];

function baseProgram(): Command {
  const program = new Command('weft')
    .description('Durable DAG workflows on Temporal')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureHelp({ sortSubcommands: true });
  return program;
}

/** Strict parsing everywhere: unknown flags and bad values are usage errors (exit 2). */
function makeStrict(program: Command): Command {
  const strict = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(strict);
  };
  program.commands.forEach(strict);
  return program;
}

/** The command `argv` names (`weft runs …`, `weft help runs`), if it is one of ours. */
function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

/** The whole program, every command loaded: for tests and tools that need all of it. */
export async function buildProgram(): Promise<Command> {
  const program = baseProgram();
  for (const entry of COMMANDS) (await entry.load())(program);
  return makeStrict(program);
}

/** The program with only the command `argv` runs; with none, placeholders that list every command. */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const program = baseProgram();
  const entry = commandNamed(argv);
  if (entry) {
    (await entry.load())(program);
    return makeStrict(program);
  }
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  program.configureHelp({ sortSubcommands: true, subcommandTerm: (cmd) => terms.get(cmd.name()) ?? new Help().subcommandTerm(cmd) });
  for (const c of COMMANDS) program.command(c.name).description(c.description);
  return makeStrict(program);
}

export async function main(argv: string[] = process.argv): Promise<void> {
  let tracing: Tracing | undefined;
  try {
    // Off unless OTEL_* asks for it; started before any client exists so their interceptors see it.
    tracing = await startTracing({ serviceName: `weft-${argv[2] ?? 'cli'}` });
    await (await programFor(argv)).parseAsync(argv);
  } catch (err) {
    // exit-codes.ts maps every error through the one taxonomy (src/errors). It
    // loads the modules that define the error classes, so only when one ended a command.
    const { exitCodeFor } = await import('./exit-codes');
    const code = exitCodeFor(err);
    // Commander already printed its own usage errors.
    if (!(err instanceof CommanderError)) console.error(`weft: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = code;
  } finally {
    await tracing?.shutdown();
  }
}

if (require.main === module) void main();
