/**
 * Tries to reproduce the "stalls" of BENCHMARKS.md section 3: under load, an
 * activity delivered to a worker (STARTED, attempt 1) and never completed,
 * seen only with two or more workers in one process. Runs --workers W
 * workers (default 2) in this process, each on its own task queue, and
 * --rounds R rounds (default 10) of --jobs J single-node dagRun runs per
 * worker at once (default 60). A run not finished --stall seconds (default
 * 30) after its round started is reported with its pending activities, and
 * the SDK's own warnings are printed as they come.
 *
 * --split runs workflows and activities on separate workers per queue, which
 * turns off eager activity dispatch (Core requests it only from a worker that
 * has activities): the A/B for the suspicion that eager tasks are lost.
 *
 * Usage: npx tsx bench/stalls.ts [--workers 2] [--rounds 10] [--jobs 60] [--stall 30] [--split]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { telemetrySinks } from '../src/telemetry/worker';
import { loadLine, numberFlag } from './stats';

const args = process.argv.slice(2);
const WORKERS = numberFlag(args, 'workers', 2);
const ROUNDS = numberFlag(args, 'rounds', 10);
const JOBS = numberFlag(args, 'jobs', 60);
const STALL_S = numberFlag(args, 'stall', 30);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => console.log(`[sdk ${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {}).slice(0, 300)}`)) });
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-stalls-'));
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'));
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const native = await NativeConnection.connect({ address: server.address });
    const dag = packDag(compileDag({ name: 'stall-probe', nodes: [{ id: 'one', activity: 'noop', input: { v: 1 } }] }));
    const queues = Array.from({ length: WORKERS }, (_, i) => `stalls-${i}-${Date.now()}`);
    // --split: per queue, one worker for workflows only and one for activities only, so Core never asks for eager activity dispatch.
    const split = args.includes('--split');
    const activityOptions = { activities: { noop: async (x: unknown) => x }, interceptors: { activity: [weftActivityInterceptor] } };
    const workers = (
      await Promise.all(
        queues.map(async (taskQueue) => {
          const { value } = await withWorkflowStackTraces(false, () =>
            Worker.create({ connection: native, taskQueue, workflowBundle: { codePath }, sinks: telemetrySinks(), ...(split ? {} : activityOptions) }),
          );
          return split ? [value, await Worker.create({ connection: native, taskQueue, ...activityOptions })] : [value];
        }),
      )
    ).flat();
    const running = workers.map((w) => w.run());
    console.log(`dev server ${server.address}; ${WORKERS} task queues, ${workers.length} workers in one process${split ? ' (workflow and activity workers apart: no eager activity dispatch)' : ''}; ${ROUNDS} rounds of ${JOBS} runs per worker; load ${loadLine()}`);
    let stalled = 0;
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
        for (const h of late.slice(0, 5)) {
          const d = await h.describe();
          const ms = (t?: { seconds?: { toString(): string } | null; nanos?: number | null } | null): number => Number(t?.seconds?.toString() ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
          const pending = d.raw.pendingActivities?.map((a) => ({ state: a.state, attempt: a.attempt, worker: a.lastWorkerIdentity, startedMs: ms(a.lastStartedTime) })) ?? [];
          // An eagerly dispatched activity is started by the same request that scheduled it: started == scheduled, to the millisecond.
          const scheduled = (await h.fetchHistory()).events?.find((e) => e.activityTaskScheduledEventAttributes);
          const scheduledMs = ms(scheduled?.eventTime);
          console.log(`  stalled ${h.workflowId}: ${d.status.name}, history ${d.historyLength} events, pending ${JSON.stringify(pending)}, started ${pending[0] ? pending[0].startedMs - scheduledMs : '?'} ms after scheduled`);
        }
        stalled += late.length;
        await Promise.allSettled(late.map((h) => h.terminate('stall probe')));
      }
    } finally {
      workers.forEach((w) => w.shutdown());
      await Promise.allSettled(running);
    }
    console.log(`stalled in all: ${stalled} of ${ROUNDS * JOBS * WORKERS}`);
  } finally {
    await server.stop();
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
