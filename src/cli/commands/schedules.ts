/**
 * `weft schedules apply|list|describe|pause|unpause|trigger|backfill|delete|create`:
 * periodic DAG runs on Temporal Schedules. The work happens in
 * src/client/schedules; this file parses flags, connects, and renders.
 *
 * Longer than 300 lines on purpose: nine subcommands of a few lines each, kept
 * together so their shared flags (--overlap, --json, connection) read as one.
 */
import { Option, type Command } from 'commander';
import { createWeftClient, DagCatalog, type WeftClient } from '../../client';
import { DefinitionsFolderError } from '../../client/definitions';
import {
  describeWhen,
  formatPlanEntry,
  loadSchedulesFile,
  OVERLAP_POLICIES,
  ScheduleFileError,
  WeftSchedules,
  type ApplyResult,
  type OverlapPolicy,
  type ScheduleInput,
  type WeftScheduleView,
} from '../../client/schedules';
import { configFrom, withConnectionOptions, type ConnectionFlags } from '../context';
import { formatDuration } from '../../dag/duration';
import { CliError, EXIT, cliError } from '../exit-codes';
import { choiceOption, cronOption, dateOption, durationOption, jsonOption, priorityOption, timezoneOption } from '../options';
import { table } from '../render';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

const overlapOption = (flag = '--overlap'): ((value: string) => OverlapPolicy) => choiceOption(flag, OVERLAP_POLICIES);

// ---- connecting and errors ----

interface CommonFlags extends ConnectionFlags {
  json?: boolean;
}

function printFileProblems(e: ScheduleFileError, flags: CommonFlags): void {
  if (flags.json) json({ ok: false, ...(e.source ? { source: e.source } : {}), issues: e.issues });
  else for (const i of e.issues) err(`${e.source ? `${e.source}: ` : ''}${i.path}: ${i.message}`);
}

/** Adds what the CLI shows for some errors (the file's problems, a hint); the exit code comes from the error's kind (exit-codes.ts). */
function toCliError(e: unknown, flags: CommonFlags): unknown {
  if (e instanceof CliError) return e;
  if (e instanceof DefinitionsFolderError) return cliError(e, `${e.message} (the dagsDir setting; change it in weft.config.yaml or with WEFT_DAGS_DIR)`);
  if (e instanceof ScheduleFileError) {
    printFileProblems(e, flags);
    const n = e.issues.length;
    return cliError(e, `${e.source ?? 'the schedules'} ${e.source ? 'is' : 'are'} invalid (${n} problem${n === 1 ? '' : 's'}); nothing was changed`);
  }
  return e;
}

async function withSchedules<T>(flags: CommonFlags, fn: (schedules: WeftSchedules) => Promise<T>): Promise<T> {
  const config = configFrom(flags);
  let client: WeftClient | undefined;
  try {
    client = await createWeftClient({ config });
    return await fn(new WeftSchedules(client));
  } catch (e) {
    throw toCliError(e, flags);
  } finally {
    await client?.temporal.connection.close();
  }
}

function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args) => {
    process.exitCode = await fn(...args);
  };
}

// ---- rendering ----

function renderApply(result: ApplyResult): void {
  for (const entry of result.entries) out(formatPlanEntry(entry));
  const { create, update, delete: del, unchanged } = result.counts;
  if (!result.changed) {
    out('no changes');
    return;
  }
  const what = result.dryRun ? `${create} to create, ${update} to update, ${del} to delete` : `${create} created, ${update} updated, ${del} deleted`;
  out(`${result.dryRun ? 'dry run: ' : ''}${what}, ${unchanged} unchanged${result.dryRun ? '; nothing was changed' : ''}`);
}

function stateText(v: WeftScheduleView): string {
  return v.state.paused ? `paused${v.state.note ? ` (${JSON.stringify(v.state.note)})` : ''}` : 'active';
}

function renderList(views: WeftScheduleView[]): void {
  if (views.length === 0) {
    out('No Weft schedules. Create them with `weft schedules apply schedules.yaml` or `weft schedules create`.');
    return;
  }
  const rows = [['ID', 'DAG', 'WHEN', 'STATE', 'NEXT RUN', 'LAST RUN']];
  for (const v of views) {
    rows.push([v.id, v.dag, describeWhen(v.spec), v.state.paused ? 'paused' : 'active', v.state.paused ? '-' : (v.info.nextActionTimes[0] ?? '-'), v.info.recentActions.at(-1)?.takenAt ?? '-']);
  }
  table(rows).forEach((line) => out(line));
}

function renderDescribe(v: WeftScheduleView): void {
  const rows: Array<[string, string]> = [
    ['ID', v.id],
    ['DAG', `${v.dag}${v.dagHash ? ` (definition ${v.dagHash.slice(0, 12)})` : ''}`],
    ['When', describeWhen(v.spec)],
    ['State', stateText(v)],
    ['Overlap', `${v.overlap}; catch-up window ${formatDuration(v.catchupWindowMs)}`],
    ['Task queue', v.taskQueue],
    ['Run ids', `${v.id}-<nominal time>, e.g. ${v.id}-${(v.info.nextActionTimes[0] ?? '2026-01-01T02:00:00.000Z').replace(/\.\d{3}Z$/, 'Z')}`],
  ];
  if (v.group !== undefined) rows.push(['Group', v.group]);
  if (v.spec?.startAt || v.spec?.endAt) rows.push(['Active', `${v.spec.startAt ?? 'always'} to ${v.spec.endAt ?? 'forever'}`]);
  rows.push(['Actions', `${v.info.numActionsTaken} taken, ${v.info.numActionsSkippedOverlap} skipped (overlap), ${v.info.numActionsMissedCatchupWindow} missed (catch-up window)`]);
  const width = Math.max(...rows.map(([k]) => k.length), 'Recent runs'.length) + 2;
  for (const [k, value] of rows) out(`${k.padEnd(width)}${value}`);
  const list = (label: string, lines: string[]): void => {
    if (lines.length === 0) out(`${label.padEnd(width)}-`);
    lines.forEach((line, i) => out(`${(i === 0 ? label : '').padEnd(width)}${line}`));
  };
  list('Next runs', v.state.paused ? [] : v.info.nextActionTimes.slice(0, 5));
  list('Recent runs', [...v.info.recentActions].reverse().map((a) => `${a.workflowId}  (taken ${a.takenAt})`));
  if (v.info.runningActions.length) list('Running', v.info.runningActions.map((a) => a.workflowId));
}

// ---- commands ----

/** --json, plus the connection flags every client command has (--config, --address, --namespace, --task-queue). */
function common(cmd: Command): Command {
  return withConnectionOptions(cmd.option('--json', 'print JSON'));
}

interface CreateFlags extends CommonFlags {
  dag: string;
  cron?: string[];
  every?: string;
  offset?: string;
  input?: unknown;
  timezone?: string;
  overlap?: OverlapPolicy;
  paused?: boolean;
  note?: string;
  priority?: number;
}

/** A problem with a one-off definition is a problem with a flag: exit 2, or 5 for a DAG that does not exist. */
function createProblem(e: ScheduleFileError): CliError {
  const flagOf = (path: string): string =>
    path.startsWith('input') ? '--input' : path.startsWith('interval.offset') ? '--offset' : path.startsWith('interval') ? '--every' : path === '(root)' ? '--cron/--every' : path === 'id' ? '<id>' : `--${path.replace(/\[\d+\]$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const lines = e.issues.map((i) => `${flagOf(i.path)}: ${i.message}`);
  const code = e.issues.some((i) => i.code === 'unknown_dag' || i.code === 'invalid_dag') ? EXIT.NOT_FOUND : EXIT.USAGE;
  return new CliError(lines.join('\n'), code);
}

export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('Periodic DAG runs on Temporal Schedules: apply a schedules file, or manage one schedule at a time')
    .addHelpText(
      'after',
      '\nExamples:\n  $ weft schedules apply examples/schedules.yaml --dry-run\n  $ weft schedules apply examples/schedules.yaml --prune\n  $ weft schedules list\n' +
        '  $ weft schedules describe nightly-report\n  $ weft schedules trigger nightly-report\n',
    );

  common(
    schedules
      .command('apply')
      .description('Make Temporal match a schedules file: create, update and (with --prune) delete Weft-managed schedules')
      .argument('<file>', 'schedules file (YAML or JSON)')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--prune', "delete Weft-managed schedules of the file's group that the file does not list"),
  )
    .addHelpText(
      'after',
      '\nPrints one line per schedule: "+ create", "~ update (field: old → new)", "- delete", "= unchanged", then a summary, or\n' +
        '"no changes". Schedules Weft did not create are never touched. A bad file prints every problem as "file: path: message"\n' +
        'and exits 1 without changing anything.\n\n' +
        'Examples:\n  $ weft schedules apply schedules.yaml\n  $ weft schedules apply schedules.yaml --dry-run\n  $ weft schedules apply schedules.yaml --prune --json\n',
    )
    .action(
      action(async (file: string, flags: CommonFlags & { dryRun?: boolean; prune?: boolean }) => {
        // A bad file is reported as such even when Temporal is down.
        try {
          loadSchedulesFile(file, { dags: new DagCatalog(configFrom(flags).dagsDir) });
        } catch (e) {
          throw toCliError(e, flags);
        }
        const result = await withSchedules(flags, (s) => s.apply(file, { dryRun: flags.dryRun ?? false, prune: flags.prune ?? false }));
        if (flags.json) json(result);
        else renderApply(result);
        return EXIT.OK;
      }),
    );

  common(schedules.command('list').description('List the Weft-managed schedules'))
    .addHelpText('after', '\nExamples:\n  $ weft schedules list\n  $ weft schedules list --json | jq \'.[] | select(.state.paused)\'\n')
    .action(
      action(async (flags: CommonFlags) => {
        const views = await withSchedules(flags, (s) => s.list());
        if (flags.json) json(views);
        else renderList(views);
        return EXIT.OK;
      }),
    );

  common(schedules.command('describe').description('Show a schedule: when it runs, its state, next times and recent runs').argument('<id>', 'schedule id'))
    .addHelpText('after', '\nExamples:\n  $ weft schedules describe nightly-report\n  $ weft schedules describe nightly-report --json | jq .info.recentActions\n')
    .action(
      action(async (id: string, flags: CommonFlags) => {
        const view = await withSchedules(flags, (s) => s.describe(id));
        if (flags.json) json(view);
        else renderDescribe(view);
        return EXIT.OK;
      }),
    );

  for (const verb of ['pause', 'unpause'] as const) {
    common(
      schedules
        .command(verb)
        .description(verb === 'pause' ? 'Pause a schedule (runs in flight go on)' : 'Unpause a schedule')
        .argument('<id>', 'schedule id')
        .option('--note <text>', 'why; shown by describe'),
    )
      .addHelpText('after', `\nExamples:\n  $ weft schedules ${verb} nightly-report${verb === 'pause' ? ' --note "warehouse migration"' : ''}\n`)
      .action(
        action(async (id: string, flags: CommonFlags & { note?: string }) => {
          const view = await withSchedules(flags, (s) => s[verb](id, flags.note));
          if (flags.json) json(view);
          else out(`${verb}d ${id}${view.state.note ? ` (${JSON.stringify(view.state.note)})` : ''}`);
          return EXIT.OK;
        }),
      );
  }

  common(
    schedules
      .command('trigger')
      .description('Start a run now; its nominal time, and so its id and idempotency keys, are those of now')
      .argument('<id>', 'schedule id')
      .addOption(new Option('--overlap <policy>', `overlap policy for this run: ${OVERLAP_POLICIES.join(', ')}`).default('allow-all').argParser(overlapOption())),
  )
    .addHelpText('after', '\nExamples:\n  $ weft schedules trigger nightly-report\n  $ weft schedules trigger nightly-report --overlap skip\n')
    .action(
      action(async (id: string, flags: CommonFlags & { overlap: OverlapPolicy }) => {
        const run = await withSchedules(flags, (s) => s.trigger(id, flags.overlap, { waitMs: 10_000 }));
        if (flags.json) json({ id, triggered: true, ...(run ? { run } : {}) });
        else out(run ? `triggered ${id}: started run ${run.workflowId}` : `triggered ${id}; the run will show in \`weft schedules describe ${id}\``);
        return EXIT.OK;
      }),
    );

  common(
    schedules
      .command('backfill')
      .description('Take every action the schedule would have taken between --start and --end, now')
      .argument('<id>', 'schedule id')
      .requiredOption('--start <time>', 'start of the window (ISO 8601, e.g. 2026-01-01 or 2026-01-01T00:00:00Z)', dateOption('--start'))
      .requiredOption('--end <time>', 'end of the window (ISO 8601)', dateOption('--end'))
      .addOption(new Option('--overlap <policy>', `overlap policy for the backfill: ${OVERLAP_POLICIES.join(', ')}`).default('buffer-all').argParser(overlapOption())),
  )
    .addHelpText(
      'after',
      '\nEach run gets the nominal time it stands for, so its id (and every node\'s idempotency key) is the one a run at that\n' +
        'time would have had.\n\nExamples:\n  $ weft schedules backfill nightly-report --start 2026-01-01 --end 2026-01-08\n' +
        '  $ weft schedules backfill nightly-report --start 2026-01-01T00:00:00Z --end 2026-01-02T00:00:00Z --overlap allow-all\n',
    )
    .action(
      action(async (id: string, flags: CommonFlags & { start: Date; end: Date; overlap: OverlapPolicy }) => {
        if (flags.end <= flags.start) throw new CliError(`Expected --end to be after --start, got --start ${flags.start.toISOString()} and --end ${flags.end.toISOString()}.`, EXIT.USAGE);
        await withSchedules(flags, (s) => s.backfill(id, flags.start, flags.end, flags.overlap));
        const window = { start: flags.start.toISOString(), end: flags.end.toISOString() };
        if (flags.json) json({ id, backfill: { ...window, overlap: flags.overlap } });
        else out(`backfilling ${id} from ${window.start} to ${window.end} (overlap ${flags.overlap}); see the runs with \`weft schedules describe ${id}\``);
        return EXIT.OK;
      }),
    );

  common(schedules.command('delete').description('Delete a Weft-managed schedule (runs it started are not affected)').argument('<id>', 'schedule id'))
    .addHelpText('after', '\nExamples:\n  $ weft schedules delete nightly-report\n')
    .action(
      action(async (id: string, flags: CommonFlags) => {
        await withSchedules(flags, (s) => s.delete(id));
        if (flags.json) json({ id, deleted: true });
        else out(`deleted ${id}`);
        return EXIT.OK;
      }),
    );

  common(
    schedules
      .command('create')
      .description('Create one schedule from flags (a one-off; `apply --prune` never deletes it)')
      .argument('<id>', 'schedule id; runs are <id>-<nominal time>')
      .requiredOption('--dag <name>', 'DAG name from the DAGs folder')
      .addOption(new Option('--cron <expr>', 'cron expression (5 fields, or 6 with a year); repeat for several').argParser(cronOption('--cron')).conflicts('every'))
      .addOption(new Option('--every <duration>', 'interval, e.g. 6h').argParser(durationOption('--every')))
      .option('--offset <duration>', 'offset of the interval, e.g. 30m', durationOption('--offset'))
      .option('--input <json>', 'run input: JSON, or @file', jsonOption('--input'))
      .option('--timezone <tz>', 'IANA time zone of the cron expressions (default UTC)', timezoneOption('--timezone'))
      .addOption(new Option('--overlap <policy>', `overlap policy: ${OVERLAP_POLICIES.join(', ')}`).default('skip').argParser(overlapOption()))
      .option('--paused', 'create it paused')
      .option('--note <text>', 'note, e.g. why it is paused')
      .option('--priority <n>', 'priority of the runs, 1 (highest) to 5', priorityOption('--priority')),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ weft schedules create nightly-report --dag nightly-report --cron "0 2 * * *" --timezone Europe/Berlin\n' +
        '  $ weft schedules create thumbs --dag image-pipeline --every 6h --input \'{"uploadId":"u1","count":3}\'\n' +
        '  $ weft schedules create weekly --dag nightly-report --cron "0 8 * * MON" --input @input.json --paused --note "not yet"\n',
    )
    .action(
      action(async (id: string, flags: CreateFlags) => {
        if (!flags.cron && !flags.every) throw new CliError('Give when it runs: --cron EXPR or --every DURATION.', EXIT.USAGE);
        if (flags.offset && !flags.every) throw new CliError('--offset goes with --every.', EXIT.USAGE);
        const input: ScheduleInput = {
          id,
          dag: flags.dag,
          ...(flags.input !== undefined ? { input: flags.input } : {}),
          ...(flags.cron ? { cron: flags.cron } : {}),
          ...(flags.every ? { interval: { every: flags.every, ...(flags.offset ? { offset: flags.offset } : {}) } } : {}),
          ...(flags.timezone ? { timezone: flags.timezone } : {}),
          ...(flags.overlap ? { overlap: flags.overlap } : {}),
          ...(flags.paused ? { paused: true } : {}),
          ...(flags.note !== undefined ? { note: flags.note } : {}),
          ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
        };
        const view = await withSchedules(flags, async (s) => {
          try {
            return await s.create(input);
          } catch (e) {
            throw e instanceof ScheduleFileError ? createProblem(e) : e;
          }
        });
        if (flags.json) json(view);
        else out(`created ${id}: ${view.dag}, ${describeWhen(view.spec)}${view.state.paused ? ', paused' : `; next run ${view.info.nextActionTimes[0] ?? '-'}`}`);
        return EXIT.OK;
      }),
    );
}
