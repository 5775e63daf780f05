/** `weft schedules …` as a user runs it: a subprocess against the real dev server, with a real worker for the fixture DAGs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, type TestContext } from 'vitest';
import { ScheduleNotFoundError as TemporalScheduleNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stringify } from 'yaml';
import type { WeftScheduleView } from '../../src/client/schedules';
import { runWeft, type CliResult } from '../helpers/cli';
import { weftActivityInterceptor } from '../../src/workers/interceptors';
import { createTestWorker, devServerEnv, uniqueId } from '../helpers/temporal';

const DAGS = 'test/fixtures/schedules/dags';
const RARELY = '0 0 1 1 *';

let env: TestWorkflowEnvironment;
let worker: { taskQueue: string; stop: () => Promise<void> };
beforeAll(async () => {
  env = await devServerEnv();
  // One worker for the file: tests run concurrently, and vitest's global hooks do not know which concurrent test is current.
  const { worker: w, taskQueue } = await createTestWorker(env, { activities: { 'sched.echo': async (input: unknown) => input }, interceptors: { activity: [weftActivityInterceptor] } });
  const running = w.run();
  worker = {
    taskQueue,
    stop: async () => {
      w.shutdown();
      await running;
    },
  };
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

/** The JSON a command printed; a failed command fails the test with its stderr. */
function parsed<T>(r: CliResult): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface CliTest {
  weft(args: string[]): Promise<CliResult>;
  id(prefix: string): string;
  file(schedules: unknown[]): string;
  taskQueue: string;
}

/** The CLI pointed at the file's worker and the fixture DAGs; the schedules a test makes are deleted when it finishes (through its own context). */
function cliTest(ctx: TestContext): CliTest {
  const { taskQueue } = worker;
  const cliEnv = { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_DAGS_DIR: DAGS, WEFT_TASK_QUEUE: taskQueue };
  const ids: string[] = [];
  const group = uniqueId('group');
  const dir = mkdtempSync(join(tmpdir(), 'weft-cli-schedules-'));
  ctx.onTestFinished(async () => {
    for (const id of ids) {
      await env.client.schedule
        .getHandle(id)
        .delete()
        .catch((e: unknown) => {
          if (!(e instanceof TemporalScheduleNotFoundError)) throw e;
        });
    }
  });
  return {
    taskQueue,
    weft: (args) => runWeft(['schedules', ...args], { env: cliEnv }),
    id(prefix) {
      const id = uniqueId(prefix);
      ids.push(id);
      return id;
    },
    file(schedules) {
      const path = join(dir, `${uniqueId('schedules')}.yaml`);
      writeFileSync(path, stringify({ group, schedules }));
      return path;
    },
  };
}

// Each CLI call is a tsx start-up (seconds on a busy machine), and these tests make several in a row.
const SLOW = { timeout: 180_000 };

describe.concurrent('weft schedules apply', SLOW, () => {
  it('creates the schedules, then prints "no changes" the second time', async (ctx) => {
    const t = cliTest(ctx);
    const [a, b] = [t.id('nightly'), t.id('six-hourly')];
    const file = t.file([
      { id: a, dag: 'sched-report', input: { report: 'daily' }, cron: '0 2 * * *', timezone: 'Europe/Berlin' },
      { id: b, dag: 'sched-echo', interval: { every: '6h' }, paused: true, note: 'later' },
    ]);

    const first = await t.weft(['apply', file]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`+ create ${a}\n+ create ${b}\n2 created, 0 updated, 0 deleted, 0 unchanged\n`);

    const second = await t.weft(['apply', file]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`= unchanged ${a}\n= unchanged ${b}\nno changes\n`);
  });

  it('prints the diff of an edit with --dry-run, changes nothing, then applies it', async (ctx) => {
    const t = cliTest(ctx);
    const id = t.id('edit');
    await t.weft(['apply', t.file([{ id, dag: 'sched-echo', cron: '0 2 1 1 *' }])]);
    const edited = t.file([{ id, dag: 'sched-echo', cron: '0 3 1 1 *' }]);

    const dry = await t.weft(['apply', edited, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(`~ update ${id} (cron: "0 2 1 1 *" → "0 3 1 1 *")\ndry run: 0 to create, 1 to update, 0 to delete, 0 unchanged; nothing was changed\n`);

    expect(parsed(await t.weft(['apply', edited, '--json']))).toMatchObject({ changed: true, applied: [{ action: 'update', id, changes: [{ field: 'cron', from: ['0 2 1 1 *'], to: ['0 3 1 1 *'] }] }] });
  });

  it('exits 1 for a bad file and lists every problem as file: path: message', async (ctx) => {
    const t = cliTest(ctx);
    const file = 'test/fixtures/schedules/invalid.yaml';
    const r = await t.weft(['apply', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith(`${file}: `))).toHaveLength(13);
    expect(lines).toContain(`${file}: schedules[2].cron[1]: invalid cron expression "x" (expected 5 fields: minute hour day-of-month month day-of-week, or 6 with a year after them; got 1)`);
    expect(lines).toContain(`${file}: schedules[3].dag: no DAG named "no-such-dag" in ${DAGS} (known: sched-broken, sched-echo, sched-report)`);
    expect(lines.at(-1)).toBe(`weft: ${file} is invalid (13 problems); nothing was changed`);
  });

  it('prints the problems as JSON with --json', async (ctx) => {
    const t = cliTest(ctx);
    const r = await t.weft(['apply', 'test/fixtures/schedules/invalid.yaml', '--json']);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { ok: boolean; issues: Array<{ path: string }> };
    expect(body.ok).toBe(false);
    expect(body.issues[0]).toEqual({ path: 'schedules[0]', code: 'schema', message: 'give when it runs: cron (one or more cron expressions) or interval ({ every, offset })' });
  });
});

describe.concurrent('weft schedules, one at a time', SLOW, () => {
  it('lists, describes and triggers a schedule; the run completes under an id that starts with the schedule id', async (ctx) => {
    const t = cliTest(ctx);
    const id = t.id('trigger');
    expect((await t.weft(['create', id, '--dag', 'sched-report', '--cron', RARELY, '--input', '{"report":"weekly"}'])).code).toBe(0);

    const mine = parsed<WeftScheduleView[]>(await t.weft(['list', '--json'])).find((v) => v.id === id);
    // Listing is eventually consistent; when it already shows the schedule, it shows it fully.
    if (mine) expect(mine).toMatchObject({ dag: 'sched-report', taskQueue: t.taskQueue, state: { paused: false } });

    const described = await t.weft(['describe', id]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(new RegExp(`^ID\\s+${id}$`, 'm'));
    expect(described.stdout).toMatch(/^DAG\s+sched-report \(definition [0-9a-f]{12}\)$/m);
    expect(described.stdout).toMatch(/^When\s+cron "0 0 1 1 \*"$/m);
    expect(described.stdout).toMatch(/^State\s+active$/m);

    const { run } = parsed<{ run: { workflowId: string; runId: string } }>(await t.weft(['trigger', id, '--json']));
    expect(run.workflowId.startsWith(`${id}-`)).toBe(true);
    expect(await env.client.workflow.getHandle(run.workflowId, run.runId).result()).toEqual({ publish: { report: 'weekly' } });

    const after = parsed<WeftScheduleView>(await t.weft(['describe', id, '--json']));
    expect(after.info.recentActions.map((a) => a.workflowId)).toEqual([run.workflowId]);
  });

  it('pauses and unpauses with a note, creates with --every, and deletes', async (ctx) => {
    const t = cliTest(ctx);
    const id = t.id('every');
    const created = await t.weft(['create', id, '--dag', 'sched-echo', '--every', '30d', '--offset', '1h', '--overlap', 'buffer-all', '--json']);
    expect(parsed(created)).toMatchObject({ id, overlap: 'buffer-all', spec: { interval: { every: '30d', offset: '1h' } } });

    const paused = await t.weft(['pause', id, '--note', 'maintenance']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toBe(`paused ${id} ("maintenance")\n`);
    expect(parsed<WeftScheduleView>(await t.weft(['unpause', id, '--note', 'done', '--json'])).state).toEqual({ paused: false, note: 'done' });
    expect(parsed<WeftScheduleView>(await t.weft(['describe', id, '--json'])).state).toEqual({ paused: false, note: 'done' });

    const deleted = await t.weft(['delete', id]);
    expect(deleted.stdout).toBe(`deleted ${id}\n`);
    expect((await t.weft(['describe', id])).code).toBe(5);
  });

  it('backfills a window', async (ctx) => {
    const t = cliTest(ctx);
    const id = t.id('backfill');
    await t.weft(['create', id, '--dag', 'sched-echo', '--cron', '0 0 1 * *']);
    const r = await t.weft(['backfill', id, '--start', '2026-01-15', '--end', '2026-03-15T00:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`backfilling ${id} from 2026-01-15T00:00:00.000Z to 2026-03-15T00:00:00.000Z (overlap buffer-all)`);
  });

  it('exits 5 for a schedule that does not exist, naming it', async (ctx) => {
    const t = cliTest(ctx);
    const r = await t.weft(['describe', 'no-such-schedule-x1']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('weft: no schedule with id "no-such-schedule-x1"');
  });

  it('exits 5 when create names a DAG that does not exist', async (ctx) => {
    const t = cliTest(ctx);
    const r = await t.weft(['create', t.id('no-dag'), '--dag', 'nope', '--cron', RARELY]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--dag: no DAG named "nope"');
  });
});

describe.concurrent('weft schedules: bad flags exit 2, naming the flag and the value', SLOW, () => {
  it.each([
    [['create', 'x', '--dag', 'sched-echo', '--cron', 'nope'], 'Expected --cron to be a cron expression: invalid cron expression "nope"'],
    [['create', 'x', '--dag', 'sched-echo', '--every', 'often'], 'Expected --every to be a duration such as 30s or 5m, got `often`.'],
    [['create', 'x', '--dag', 'sched-echo', '--cron', RARELY, '--timezone', 'Mars/Olympus'], 'Expected --timezone to be an IANA time zone: unknown time zone "Mars/Olympus"'],
    [['create', 'x', '--dag', 'sched-echo', '--cron', RARELY, '--input', '{oops'], 'Expected --input to be JSON or @file, got `{oops`'],
    [['create', 'x', '--dag', 'sched-echo', '--cron', RARELY, '--priority', '9'], 'Expected --priority to be an integer from 1 (highest) to 5, got `9`.'],
    [['create', 'x', '--dag', 'sched-echo', '--cron', RARELY, '--every', '1h'], "option '--cron <expr>' cannot be used with option '--every <duration>'"],
    [['create', 'x', '--dag', 'sched-echo'], 'Give when it runs: --cron EXPR or --every DURATION.'],
    [['trigger', 'x', '--overlap', 'sometimes'], 'Expected --overlap to be one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all, got `sometimes`.'],
    [['backfill', 'x', '--start', 'yesterday', '--end', '2026-01-02'], 'Expected --start to be an ISO 8601 date or time with a zone'],
    [['backfill', 'x', '--start', '2026-01-02', '--end', '2026-01-01'], 'Expected --end to be after --start'],
    [['backfill', 'x', '--start', '2026-01-01'], "required option '--end <time>' not specified"],
    [['apply', 'f.yaml', '--force'], "unknown option '--force'"],
    [['list', 'extra'], 'too many arguments'],
  ])('weft schedules %j', async (args, message) => {
    const r = await runWeft(['schedules', ...args], { env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_DAGS_DIR: DAGS } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe.concurrent('weft schedules, edges', SLOW, () => {
  it('exits 4 when Temporal is not reachable', async () => {
    const r = await runWeft(['schedules', 'list'], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Temporal is not reachable at 127.0.0.1:1');
  });

  it.each(['apply', 'list', 'describe', 'pause', 'unpause', 'trigger', 'backfill', 'delete', 'create'])('shows examples for schedules %s --help', async (command) => {
    const r = await runWeft(['schedules', command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain(`$ weft schedules ${command}`);
  });
});
