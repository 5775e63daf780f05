/**
 * `weft runs start|status|list|cancel|retry|approve|reject`: thin wrappers over
 * WeftClient that parse flags and render.
 *
 * This module's own imports are the narrow ones: `status`, `list` and
 * `cancel` need the Temporal client alone (src/client/run-reads.ts); DAG
 * files, definitions, WeftClient and the error taxonomy load only in the
 * commands and failures that need them. `weft runs status` and `list` thus
 * load no DAG validation, JSONata, Ajv, catalog, queue or schedule code.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelRun, getRun, listRuns } from '../../client/run-reads';
import { RUN_STATUS_FILTERS, RUN_STATUS_FILTER_NAMES, type RunStatusFilterName, type RunView } from '../../client/run-types';
import { clientFrom, temporalFrom, withConnectionOptions, type ConnectionFlags } from '../context';
import { CliError, EXIT } from '../exit-status';
import { choiceOption, dateOption, jsonOption, positiveIntOption, priorityOption } from '../options';
import { progressLine, renderRun, renderRunList } from '../render';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

// One list for the CLI and the API (src/client/run-types.ts).
const STATUSES = RUN_STATUS_FILTER_NAMES;

const CLOSED_OK = new Set(['COMPLETED']);

/**
 * A run that refused a decision, as a CliError saying so. Other errors need
 * no wrapping: main.ts prints their message and maps them to an exit code.
 */
async function refused(e: unknown): Promise<unknown> {
  if (!(e instanceof WorkflowUpdateFailedError)) return e;
  const { cliError } = await import('../exit-codes');
  return cliError(e, `refused: ${e.cause?.message ?? e.message}`);
}

/**
 * Polls the run until it closes, printing a progress line whenever it changes
 * (on a terminal, in place). Ctrl-C stops watching; the run goes on.
 */
async function watch(read: (id: string) => Promise<RunView>, id: string, opts: { json: boolean; intervalMs?: number }): Promise<RunView> {
  const stream = opts.json ? process.stderr : process.stdout;
  const tty = Boolean(stream.isTTY);
  let last = '';
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  try {
    for (;;) {
      const run = await read(id);
      const line = run.status ? progressLine(run.status) : run.execution.toLowerCase();
      if (line !== last) {
        stream.write(tty ? `\r\x1b[K${id}: ${line}` : `${id}: ${line}\n`);
        last = line;
      }
      if (run.execution !== 'RUNNING') {
        if (tty) stream.write('\n');
        return run;
      }
      if (interrupted) {
        if (tty) stream.write('\n');
        err(`stopped watching; the run goes on. See it with: weft runs status ${id}`);
        throw new CliError('interrupted', EXIT.INTERRUPTED);
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function finish(run: RunView, json: boolean): number {
  if (json) out(JSON.stringify({ id: run.id, runId: run.runId, execution: run.execution, ...(run.result !== undefined ? { result: run.result } : {}), ...(run.failure ? { failure: run.failure } : {}) }));
  else out(renderRun(run));
  return CLOSED_OK.has(run.execution) ? EXIT.OK : EXIT.FAILURE;
}

interface StartFlags extends ConnectionFlags {
  input?: unknown;
  id?: string;
  delay?: string;
  at?: string;
  priority?: number;
  wait?: boolean;
  json?: boolean;
}

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('Start, inspect, list, cancel, retry and approve DAG runs')
    .addHelpText('after', '\nExamples:\n  $ weft runs start image-pipeline --input \'{"uploadId":"u1"}\' --wait\n  $ weft runs list --status failed\n  $ weft runs retry <id> --from-failed --wait\n');

  withConnectionOptions(
    runs
      .command('start')
      .description('Start a run of a named DAG (from the DAGs folder) or of a definition file')
      .argument('<dag>', 'DAG name, or a path to a .yaml/.yml/.json definition')
      .option('--input <json>', 'run input as JSON, or @file.json', jsonOption('--input'))
      .option('--id <key>', 'idempotency key: the run id; starting again with it returns the same run')
      .option('--delay <duration>', 'start after this long, e.g. 10m')
      .option('--at <time>', 'start at this ISO 8601 time')
      .option('--priority <n>', 'priority 1 (highest) to 5', priorityOption('--priority'))
      .option('--wait', 'wait for the run to finish, showing progress; exit 1 if it fails')
      .option('--json', 'machine output; with --wait, the last line is {id, runId, execution, result|failure}'),
  )
    .addHelpText('after', '\nExamples:\n  $ weft runs start image-pipeline --input \'{"uploadId":"u1","count":3}\' --wait\n  $ weft runs start ./my-dag.yaml --input @input.json --id order-42 --json\n')
    .action(async (dag: string, flags: StartFlags) => {
      const { weft } = await clientFrom(flags);
      const [{ DEFINITION_EXTENSIONS }, { loadDefinitionFile }] = await Promise.all([import('../../dag/parse'), import('../../client/definitions')]);
      const isFile = DEFINITION_EXTENSIONS.some((ext) => dag.endsWith(ext)) || existsSync(dag);
      const started = await weft.startRun({
        dag: isFile ? loadDefinitionFile(dag) : dag,
        input: flags.input,
        ...(flags.id ? { id: flags.id } : {}),
        ...(flags.delay ? { delay: flags.delay } : {}),
        ...(flags.at ? { at: flags.at } : {}),
        ...(flags.priority ? { priority: flags.priority } : {}),
      });
      if (!flags.wait) {
        if (flags.json) out(JSON.stringify(started));
        else out(`${started.existing ? 'existing run' : 'started'} ${started.id} (run ${started.runId})`);
        return;
      }
      if (!flags.json) out(`${started.existing ? 'existing run' : 'started'} ${started.id}`);
      process.exitCode = finish(await watch((i) => weft.getRun(i), started.id, { json: Boolean(flags.json) }), Boolean(flags.json));
    });

  withConnectionOptions(
    runs
      .command('status')
      .description("Show a run's node states, attempts, progress and errors")
      .argument('<id>', 'run id')
      .option('--watch', 'follow the run until it finishes')
      .option('--json', 'machine output'),
  ).action(async (id: string, flags: ConnectionFlags & { watch?: boolean; json?: boolean }) => {
    const { temporal } = await temporalFrom(flags);
    const read = (runId: string): Promise<RunView> => getRun(temporal, runId);
    const run = flags.watch ? await watch(read, id, { json: Boolean(flags.json) }) : await read(id);
    if (flags.json) out(JSON.stringify(run));
    else out(renderRun(run));
    if (flags.watch) process.exitCode = CLOSED_OK.has(run.execution) ? EXIT.OK : EXIT.FAILURE;
  });

  withConnectionOptions(
    runs
      .command('list')
      .description('List runs, newest first (searches Temporal visibility)')
      .option('--dag <name>', 'only runs of this DAG')
      .option('--status <status>', `one of ${STATUSES.join(', ')}`, choiceOption('--status', STATUSES))
      .option('--since <time>', 'started at or after (ISO 8601)', dateOption('--since'))
      .option('--until <time>', 'started at or before (ISO 8601)', dateOption('--until'))
      .option('--limit <n>', 'at most this many (default 50)', positiveIntOption('--limit'))
      .option('--json', 'machine output'),
  )
    .addHelpText('after', '\nExamples:\n  $ weft runs list --status failed\n  $ weft runs list --dag image-pipeline --since 2026-11-01T00:00:00Z --json\n')
    .action(async (flags: ConnectionFlags & { dag?: string; status?: RunStatusFilterName; since?: Date; until?: Date; limit?: number; json?: boolean }) => {
      const { temporal } = await temporalFrom(flags);
      const list = await listRuns(temporal, {
        ...(flags.dag ? { dag: flags.dag } : {}),
        ...(flags.status ? { status: RUN_STATUS_FILTERS[flags.status] } : {}),
        ...(flags.since ? { since: flags.since } : {}),
        ...(flags.until ? { until: flags.until } : {}),
        ...(flags.limit ? { limit: flags.limit } : {}),
      });
      out(flags.json ? JSON.stringify(list) : renderRunList(list));
    });

  withConnectionOptions(
    runs
      .command('cancel')
      .description('Cancel a running run: activities in flight are cancelled, compensations run if configured')
      .argument('<id>', 'run id')
      .option('--json', 'machine output'),
  ).action(async (id: string, flags: ConnectionFlags & { json?: boolean }) => {
    const { temporal } = await temporalFrom(flags);
    await cancelRun(temporal, id);
    out(flags.json ? JSON.stringify({ id, cancelRequested: true }) : `cancellation requested for ${id}`);
  });

  withConnectionOptions(
    runs
      .command('retry')
      .description('Run a finished run again under the same id (and so the same idempotency keys)')
      .argument('<id>', 'run id')
      .option('--from-failed', 'only re-run failed and skipped nodes; reuse the outputs that succeeded')
      .option('--wait', 'wait for the new run to finish, showing progress')
      .option('--json', 'machine output'),
  )
    .addHelpText('after', '\nExamples:\n  $ weft runs retry image-pipeline-3f2a --from-failed --wait\n')
    .action(async (id: string, flags: ConnectionFlags & { fromFailed?: boolean; wait?: boolean; json?: boolean }) => {
      const { weft } = await clientFrom(flags);
      const retried = await weft.retryRun(id, { fromFailed: Boolean(flags.fromFailed) });
      if (!flags.wait) {
        out(flags.json ? JSON.stringify(retried) : `retrying ${id} (run ${retried.runId})${flags.fromFailed ? `; reusing ${retried.reused.length ? retried.reused.join(', ') : 'nothing'}` : ''}`);
        return;
      }
      if (!flags.json) out(`retrying ${id}${flags.fromFailed ? `; reusing ${retried.reused.join(', ') || 'nothing'}` : ''}`);
      process.exitCode = finish(await watch((i) => weft.getRun(i), id, { json: Boolean(flags.json) }), Boolean(flags.json));
    });

  withConnectionOptions(
    runs
      .command('resolve')
      .description('Decide a node that failed with onError: ask and waits: retry it, skip it, or abort (fail it)')
      .argument('<id>', 'run id')
      .argument('<node>', 'node id')
      .option('--retry', 'run the node again')
      .option('--skip', 'mark the node skipped and go on')
      .option('--abort', 'let the node fail (the run then follows its onFailure policy)')
      .option('--reason <text>', 'why')
      .option('--by <who>', 'who decides (default $USER)')
      .option('--json', 'machine output'),
  )
    .addHelpText('after', '\nExamples:\n  $ weft runs resolve order-42 charge --retry --reason "gateway is back"\n')
    .action(async (id: string, node: string, flags: ConnectionFlags & { retry?: boolean; skip?: boolean; abort?: boolean; reason?: string; by?: string; json?: boolean }) => {
      const chosen = (['retry', 'skip', 'abort'] as const).filter((a) => flags[a]);
      if (chosen.length !== 1) throw new CliError('Give exactly one of --retry, --skip or --abort.', EXIT.USAGE);
      const { weft } = await clientFrom(flags);
      try {
        const result = await weft.resolveFailure(id, { node, action: chosen[0]!, ...(flags.reason ? { reason: flags.reason } : {}), by: flags.by ?? process.env.USER ?? 'cli' });
        out(flags.json ? JSON.stringify(result) : `${chosen[0]} ${node} of ${id}`);
      } catch (e) {
        throw await refused(e);
      }
    });

  for (const decision of ['approve', 'reject'] as const) {
    withConnectionOptions(
      runs
        .command(decision)
        .description(`${decision === 'approve' ? 'Approve' : 'Reject'} an approval node that is waiting`)
        .argument('<id>', 'run id')
        .argument('<node>', 'approval node id')
        .option('--reason <text>', 'why')
        .option('--by <who>', 'who decides (default $USER)')
        .option('--json', 'machine output'),
    ).action(async (id: string, node: string, flags: ConnectionFlags & { reason?: string; by?: string; json?: boolean }) => {
      const { weft } = await clientFrom(flags);
      try {
        const result = await weft.decide(id, { node, decision, ...(flags.reason ? { reason: flags.reason } : {}), by: flags.by ?? process.env.USER ?? 'cli' });
        out(flags.json ? JSON.stringify(result) : `${decision === 'approve' ? 'approved' : 'rejected'} ${node} of ${id}`);
      } catch (e) {
        throw await refused(e);
      }
    });
  }
}
