/**
 * Reproduces and dissects the "stalls" of BENCHMARKS.md sections 3 and 16:
 * under load, an activity delivered to a worker (STARTED, attempt 1) and
 * never completed, seen only with two or more workers in one process. Runs
 * --workers W workers (default 2) in this process, each on its own task
 * queue, and --rounds R rounds (default 10) of --jobs J single-node dagRun
 * runs per worker at once (default 60). A run not finished --stall seconds
 * (default 30) after its round started is reported with what each layer saw
 * of its activity:
 * - the server: describe()'s pending activity (state, attempt, started time)
 *   and whether it was started by the request that scheduled it (eager);
 * - Node: whether the activity function was entered and returned (an
 *   activity interceptor keyed by workflow id);
 * - Core: its DEBUG log lines for the run (--core-log, written to a file).
 *
 * Flags for the A/B comparisons of section 16:
 *   --mode remote|local|auto  the node's mode (default remote: a remote activity task is what stalled)
 *   --split                   workflows and activities on separate workers per queue: no eager dispatch
 *   --connections shared|own  one NativeConnection for all workers (default) or one each
 *   --block MS                block this process's event loop for MS ms every second (a loaded machine, without using CPU)
 *   --core-log DIR            Core's logs at DEBUG into DIR/core.log, the server's into DIR/server.log
 *   --dynamic-config K=V,...  extra dynamic config for the dev server, for A/B runs of server settings
 *
 * Usage: npx tsx bench/stalls.ts [--workers 2] [--rounds 10] [--jobs 60] [--stall 30] [--mode remote] [--split] [--connections shared] [--block 0] [--core-log DIR]
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { telemetrySinks } from '../src/telemetry/worker';
import { flag, loadLine, numberFlag } from './stats';

const args = process.argv.slice(2);
const WORKERS = numberFlag(args, 'workers', 2);
const ROUNDS = numberFlag(args, 'rounds', 10);
const JOBS = numberFlag(args, 'jobs', 60);
const STALL_S = numberFlag(args, 'stall', 30);
const MODE = flag(args, 'mode', 'remote');
const CONNECTIONS = flag(args, 'connections', 'shared');
const BLOCK_MS = Number(flag(args, 'block', '0'));
const LOG_DIR = flag(args, 'core-log', '');
const SPLIT = args.includes('--split');
const DYNAMIC_CONFIG: Record<string, string | number | boolean> = Object.fromEntries(
  flag(args, 'dynamic-config', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => {
      const [k, v = ''] = kv.split('=');
      return [k!, v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) && v !== '' ? Number(v) : v];
    }),
);
if (!['remote', 'local', 'auto'].includes(MODE)) throw new RangeError(`--mode: expected remote, local or auto, got ${MODE}`);
if (!['shared', 'own'].includes(CONNECTIONS)) throw new RangeError(`--connections: expected shared or own, got ${CONNECTIONS}`);

/** What Node saw of each run's activity, by workflow id: entered and returned times (ms since the epoch). */
const seen = new Map<string, { entered: number; returned?: number; taskToken: string }>();
const probe: ActivityInterceptorsFactory = (ctx: Context) => ({
  inbound: {
    async execute(input, next): Promise<unknown> {
      const id = ctx.info.workflowExecution?.workflowId ?? ctx.info.activityId;
      const entry = { entered: Date.now(), taskToken: Buffer.from(ctx.info.taskToken).toString('base64') };
      seen.set(id, entry);
      try {
        return await next(input);
      } finally {
        seen.set(id, { ...entry, returned: Date.now() });
      }
    },
  },
});

function openLog(name: string): WriteStream | undefined {
  if (!LOG_DIR) return undefined;
  mkdirSync(LOG_DIR, { recursive: true });
  return createWriteStream(join(LOG_DIR, name));
}

/** The lines of a log file that mention any of the needles (Core prints the workflow id and the activity's task token). */
function grepLog(file: string, needles: readonly string[]): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => needles.some((n) => n && line.includes(n)));
  } catch {
    return [];
  }
}

function ms(t?: { seconds?: { toString(): string } | null; nanos?: number | null } | null): number {
  return Number(t?.seconds?.toString() ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
}

type Verdict = 'lost before Node' | 'completion lost' | 'slow';

/**
 * Sorts a late run: its activity STARTED on the server and either never reached the activity function or returned
 * there without the server hearing of it (a stall: only the start-to-close timeout ends it), or it is merely slow
 * (no activity pending yet, or one still SCHEDULED: the machine is loaded and the run moves on its own).
 */
async function classify(h: WorkflowHandle, verbose: boolean): Promise<Verdict> {
  const d = await h.describe();
  const pending = d.raw.pendingActivities?.map((a) => ({ state: a.state, attempt: a.attempt, worker: a.lastWorkerIdentity, startedMs: ms(a.lastStartedTime) })) ?? [];
  const started = pending.find((a) => String(a.state) === '2' || String(a.state) === 'PENDING_ACTIVITY_STATE_STARTED');
  const node = seen.get(h.workflowId);
  const verdict: Verdict = d.status.name !== 'RUNNING' || !started ? 'slow' : node?.returned ? 'completion lost' : 'lost before Node';
  if (verdict === 'slow' || !verbose) return verdict;
  // An eagerly dispatched activity is started by the same request that scheduled it: started == scheduled, to the millisecond.
  const scheduled = (await h.fetchHistory()).events?.find((e) => e.activityTaskScheduledEventAttributes);
  const scheduledMs = ms(scheduled?.eventTime);
  const nodeSaw = node ? `activity fn entered ${node.entered - scheduledMs} ms after scheduled, ${node.returned ? `returned ${node.returned - node.entered} ms later` : 'never returned'}` : 'activity fn never entered';
  console.log(`  ${verdict}: ${h.workflowId}, history ${d.historyLength} events, pending ${JSON.stringify(pending)}, started ${started!.startedMs - scheduledMs} ms after scheduled; ${nodeSaw}`);
  if (LOG_DIR) {
    const needles = [h.workflowId, node?.taskToken ?? ''];
    for (const line of grepLog(join(LOG_DIR, 'core.log'), needles).slice(-20)) console.log(`    core: ${line.slice(0, 400)}`);
    for (const line of grepLog(join(LOG_DIR, 'server.log'), [h.workflowId]).slice(-10)) console.log(`    server: ${line.slice(0, 400)}`);
  }
  return verdict;
}

let server: Awaited<ReturnType<typeof startDevServer>> | undefined;

async function main(): Promise<void> {
  const coreLog = openLog('core.log');
  const serverLog = openLog('server.log');
  // A stopped benchmark must not leave its dev server running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));
  const print = (entry: { level: string; message: string; meta?: unknown }): void => {
    const line = `[sdk ${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {}).slice(0, 600)}`;
    if (entry.level === 'WARN' || entry.level === 'ERROR') console.log(line);
    coreLog?.write(`${new Date().toISOString()} ${line}\n`);
  };
  Runtime.install({
    logger: new DefaultLogger(LOG_DIR ? 'DEBUG' : 'WARN', print),
    telemetryOptions: { logging: { filter: { core: LOG_DIR ? 'DEBUG' : 'WARN', other: 'WARN' }, forward: {} } },
  });
  const cli = await requireTemporalCli({ progress: console.log });
  const srv = await startDevServer({ cliPath: cli.path, logLevel: LOG_DIR ? 'info' : 'warn', dynamicConfig: DYNAMIC_CONFIG, ...(serverLog ? { onLog: (line: string) => serverLog.write(`${line}\n`) } : {}) });
  server = srv;
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-stalls-'));
  const blocker = BLOCK_MS > 0 ? setInterval(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS), 1000) : undefined;
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'));
    const client = new Client({ connection: await Connection.connect({ address: srv.address }) });
    const shared = await NativeConnection.connect({ address: srv.address });
    const connection = async (): Promise<NativeConnection> => (CONNECTIONS === 'own' ? NativeConnection.connect({ address: srv.address }) : shared);
    const dag = packDag(compileDag({ name: 'stall-probe', nodes: [{ id: 'one', activity: 'noop', input: { v: 1 }, mode: MODE as 'remote' }] }));
    const queues = Array.from({ length: WORKERS }, (_, i) => `stalls-${i}-${Date.now()}`);
    const activityOptions = { activities: { noop: async (x: unknown) => x }, interceptors: { activity: [probe, weftActivityInterceptor] } };
    const workers = (
      await Promise.all(
        queues.map(async (taskQueue) => {
          const conn = await connection();
          const { value } = await withWorkflowStackTraces(false, () =>
            Worker.create({ connection: conn, taskQueue, workflowBundle: { codePath }, sinks: telemetrySinks(), ...(SPLIT ? {} : activityOptions) }),
          );
          // --split: per queue, one worker for workflows only and one for activities only, so Core never asks for eager activity dispatch.
          return SPLIT ? [value, await Worker.create({ connection: conn, taskQueue, ...activityOptions })] : [value];
        }),
      )
    ).flat();
    const running = workers.map((w) => w.run());
    console.log(
      `dev server ${srv.address}; ${WORKERS} task queues, ${workers.length} workers in one process${SPLIT ? ' (workflow and activity workers apart: no eager activity dispatch)' : ''}; mode ${MODE}; connections ${CONNECTIONS}; block ${BLOCK_MS} ms/s; dynamic config ${JSON.stringify(DYNAMIC_CONFIG)}; ${ROUNDS} rounds of ${JOBS} runs per queue; load ${loadLine()}`,
    );
    let stalled = 0;
    const cpu0 = process.cpuUsage();
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        const handles: WorkflowHandle[] = await Promise.all(
          queues.flatMap((taskQueue) => Array.from({ length: JOBS }, (_, j) => client.workflow.start('dagRun', { taskQueue, workflowId: `${taskQueue}-${r}-${j}`, args: [{ dag }] }))),
        );
        const late: WorkflowHandle[] = [];
        await Promise.all(
          handles.map((h) =>
            Promise.race([h.result().then(() => true), new Promise<false>((res) => setTimeout(() => res(false), STALL_S * 1000))]).then((done) => {
              if (!done) late.push(h);
            }),
          ),
        );
        const seconds = (performance.now() - t0) / 1000;
        console.log(`round ${r + 1}: ${handles.length} runs, ${late.length} not done after ${STALL_S} s; round took ${seconds.toFixed(1)} s; load ${loadLine()}`);
        const verdicts: Verdict[] = [];
        for (const h of late) verdicts.push(await classify(h, verdicts.filter((v) => v !== 'slow').length < 5));
        const count = (v: Verdict): number => verdicts.filter((x) => x === v).length;
        // Matching drops a dispatch whose RecordActivityTaskStarted finds the task started already: each such line is a
        // task that history recorded as started while its first dispatch failed (section 16).
        const dropped = LOG_DIR ? grepLog(join(LOG_DIR, 'server.log'), ['Activity task already started']).length : NaN;
        console.log(`  late runs: ${count('lost before Node')} lost before Node, ${count('completion lost')} completion lost, ${count('slow')} slow (not stalls); server's "Activity task already started" drops so far: ${dropped}`);
        stalled += late.length - count('slow');
        // Slow runs finish on their own; stalled ones would wait for the 5-minute start-to-close timeout.
        await Promise.allSettled(late.map((h, i) => (verdicts[i] === 'slow' ? h.result() : h.terminate('stall probe'))));
      }
    } finally {
      const cpu = process.cpuUsage(cpu0);
      console.log(`bench process CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
      workers.forEach((w) => w.shutdown());
      await Promise.allSettled(running);
    }
    console.log(`stalled in all (STARTED and never completed): ${stalled} of ${ROUNDS * JOBS * WORKERS}; load ${loadLine()}`);
  } finally {
    if (blocker) clearInterval(blocker);
    await srv.stop();
    coreLog?.end();
    serverLog?.end();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
