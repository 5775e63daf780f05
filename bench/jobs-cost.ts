/**
 * `npx tsx bench/jobs-cost.ts [--jobs 2000] [--rounds 3] [--batch-sizes 1,25] [--jobs-per-task 100,500] [--timeline]`:
 * where a job of the job queue spends its cost, per batch size (1 = the
 * one-job lane). For each round and batch size, alternating, it enqueues no-op
 * jobs on 4 shards and reports CPU per job of the Temporal dev server process
 * (/proc/<pid>/stat) and of this Node process (worker + client,
 * process.cpuUsage()), and history events per job (from the shards' history
 * lengths). Medians of the rounds; the load average is printed with each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createWeftClient } from '../src/client';
import type { WeftClient } from '../src/client/weft-client';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { startBenchServer, startWeftBenchWorker } from './peers/temporal';
import { flag, loadLine, median, numberFlag, processCpuMs } from './stats';

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<WeftClient['temporal']['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  return Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
}

/**
 * `--timeline`: one line per workflow task of shard 0 in the last round, in ms
 * since the round began, so a wave's time splits into what the shard waited
 * on (signals, the timer between waves, the task's dispatch) and the task itself.
 */
async function printTimeline(weft: WeftClient, queue: string, sinceMs: number): Promise<void> {
  const history = await weft.temporal.workflow.getHandle(`weft-jobs:${queue}:0`).fetchHistory();
  const parts: string[] = [];
  let line = '';
  for (const e of history.events ?? []) {
    const at = eventMs(e) - sinceMs;
    if (at < 0) continue;
    const type = Number(e.eventType);
    if (type === 5) line = `  task sched +${at}`; // WORKFLOW_TASK_SCHEDULED
    else if (type === 6) line += ` started +${at}`;
    else if (type === 7) {
      parts.push(`${line} completed +${at}`);
      line = '';
    } else if (type === 26) parts.push(`    signal +${at}`); // WORKFLOW_EXECUTION_SIGNALED
    else if (type === 17) parts.push(`    timer started +${at}`);
    else if (type === 18) parts.push(`    timer fired +${at}`);
    else if (type === 25) {
      const last = parts[parts.length - 1];
      if (last?.startsWith('    markers')) parts[parts.length - 1] = last.replace(/markers (\d+)/, (_, n: string) => `markers ${Number(n) + 1}`);
      else parts.push(`    markers 1 +${at}`);
    }
  }
  console.log(`  timeline of shard 0 (ms since the round began):\n${parts.join('\n')}`);
}

async function historyEvents(weft: WeftClient, queue: string): Promise<number> {
  const all = await Promise.all([0, 1, 2, 3].map((s) => weft.temporal.workflow.getHandle(`weft-jobs:${queue}:${s}`).describe().then((d) => d.historyLength, () => 0)));
  return all.reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jobs = numberFlag(args, 'jobs', 2000);
  const rounds = numberFlag(args, 'rounds', 3);
  const sizes = flag(args, 'batch-sizes', '1,25').split(',').map(Number);
  const timeline = args.includes('--timeline');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await requireTemporalCli({ progress: console.log });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-jobs-cost-'));
  const bench = await startBenchServer(cli.path);
  const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('./workflows'));
  // jobsPerTask 100 (= concurrency) is a task per wave, as before chained waves.
  const perTask = flag(args, 'jobs-per-task', '500').split(',').map(Number);
  const combos = sizes.flatMap((batchSize) => perTask.map((jobsPerTask) => ({ batchSize, jobsPerTask })));
  const sides = await Promise.all(
    combos.map(async ({ batchSize, jobsPerTask }) => {
      const name = `${batchSize}-${jobsPerTask}-${process.pid}`;
      const worker = await startWeftBenchWorker(bench, codePath, `jobs-cost-${name}`);
      const weft = await createWeftClient({ config: worker.config, client: { jobs: { shards: 4, batchSize, jobsPerTask } } });
      return { label: `batch ${String(batchSize).padStart(3)} per task ${String(jobsPerTask).padStart(4)}`, batchSize, jobsPerTask, worker, weft, queue: `cost-${name}`, rows: [] as Array<{ server: number; node: number; events: number; rate: number }> };
    }),
  );
  console.log(`jobs-cost: ${jobs} jobs per round, ${rounds} rounds, batch sizes ${sizes.join(', ')}, jobs per task ${perTask.join(', ')}; load before ${loadLine()}`);
  try {
    for (let r = 0; r <= rounds; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides) {
        const events0 = await historyEvents(side.weft, side.queue);
        const server0 = processCpuMs(bench.server.pid);
        const node0 = process.cpuUsage();
        const t0 = performance.now();
        const wall0 = Date.now();
        await Promise.all(Array.from({ length: jobs }, (_, i) => side.weft.jobs.enqueue({ queue: side.queue, key: `r${r}-${i}`, activity: 'noop' })));
        const enqueuedMs = performance.now() - t0;
        const done = async (): Promise<number> => (await side.weft.jobs.summary(side.queue)).reduce((n, s) => n + s.counts.succeeded + s.counts.failed, 0);
        while ((await done()) < (r + 1) * jobs) await new Promise((resolve) => setTimeout(resolve, 100));
        const ms = performance.now() - t0;
        const node = process.cpuUsage(node0);
        const row = { server: (processCpuMs(bench.server.pid) - server0) / jobs, node: (node.user + node.system) / 1000 / jobs, events: ((await historyEvents(side.weft, side.queue)) - events0) / jobs, rate: (jobs * 1000) / ms };
        // Round 0 warms up connections, caches and JITs; it is not counted.
        if (r > 0) side.rows.push(row);
        if (timeline && r === rounds) await printTimeline(side.weft, side.queue, wall0);
        console.log(`  round ${r}${r ? '' : ' (warm-up)'} ${side.label}: ${row.rate.toFixed(0)} jobs/s (enqueued in ${enqueuedMs.toFixed(0)} ms, done at ${ms.toFixed(0)} ms), server ${row.server.toFixed(3)} ms CPU/job, node ${row.node.toFixed(3)} ms CPU/job, ${row.events.toFixed(3)} events/job (load ${loadLine()})`);
      }
    }
    console.log(`\nmedians (load after ${loadLine()}):\n| batch size | jobs per task | jobs/s | server CPU/job | worker+client CPU/job | events/job |\n|---|---|---|---|---|---|`);
    for (const s of sides) {
      const m = (k: 'server' | 'node' | 'events' | 'rate'): number => median(s.rows.map((x) => x[k]));
      console.log(`| ${s.batchSize} | ${s.jobsPerTask} | ${m('rate').toFixed(0)} | ${m('server').toFixed(3)} ms | ${m('node').toFixed(3)} ms | ${m('events').toFixed(3)} |`);
    }
  } finally {
    for (const s of sides) await s.worker.stop();
    await bench.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
