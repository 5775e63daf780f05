/**
 * `npm run bench -- scale [--nodes 100000] [--width 100] [--concurrency 100]`:
 * one layered DAG of `nodes` no-op nodes (each depends on two nodes of the
 * layer before and reads one's output), run once through dagRun on a dev
 * server started as `weft dev` starts it (a SQLite file in WAL mode, Weft's
 * dynamic config), by a worker built like `weft dev`'s: Weft's payload codec
 * (gzip above 4 KiB), Weft's activity interceptor, the SDK's per-promise
 * stack capture off as in a Weft worker (`--stack-traces on` keeps it), SDK
 * default tuning (maxCachedWorkflows included). The worker and the client
 * share this process, whose RSS is sampled every 100 ms.
 *
 * Reports validate + compile time (wall and CPU), the packed DAG's size,
 * wall time, peak RSS, and from the histories of every execution (the
 * continue-as-new chain and every partition child): the longest workflow
 * task, task failures and timeouts, "Task not found" warnings, the biggest
 * history and the stored size of each execution's input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag, type PackedDag } from '../src/dag/pack';
import { DEFAULT_PARTITIONING, type PartitionSettings } from '../src/dag/partition';
import { weftDataConverter } from '../src/payloads';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { telemetrySinks } from '../src/telemetry/worker';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { collectRunFacts, describeRunFacts, installCountingRuntime } from './histories';
import { layeredDag } from './layered';
import { flag, loadLine, numberFlag } from './stats';

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/** `--partition-above N --partition-size N --partition-task-timeout MS`, for DagRunArgs.partitions; dagRun's defaults when absent. */
export function partitionFlags(args: readonly string[]): Partial<PartitionSettings> | undefined {
  const out: Partial<PartitionSettings> = {};
  if (args.includes('--partition-above')) out.above = Number(flag(args, 'partition-above', ''));
  if (args.includes('--partition-size')) out.size = numberFlag(args, 'partition-size', 1000);
  if (args.includes('--partition-task-timeout')) out.taskTimeoutMs = numberFlag(args, 'partition-task-timeout', 10_000);
  return Object.keys(out).length ? out : undefined;
}

/** Builds, validates, compiles and packs the DAG, and prints how long validate + compile took. */
function prepare(args: readonly string[], nodes: number, width: number, concurrency: number): PackedDag {
  // --mode local|remote|auto sets the DAG's defaults.mode; without it, nodes get the compiler's default (auto: local for these no-ops).
  const mode = flag(args, 'mode', '');
  const definition = { ...layeredDag('bench-scale', nodes / width, width, concurrency), ...(mode ? { defaults: { mode } } : {}) };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const compiled = compileDag(definition);
  const cpu = process.cpuUsage(c0);
  const compileMs = performance.now() - t0;
  const packed = packDag(compiled);
  const packedBytes = Buffer.byteLength(JSON.stringify(packed));
  console.log(`  validate + compile ${(compileMs / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (target < 2 s); packed DAG ${mib(packedBytes)} of JSON; load ${loadLine()}`);
  return packed;
}

export async function runScale(args: string[]): Promise<void> {
  const nodes = numberFlag(args, 'nodes', 100_000);
  const width = numberFlag(args, 'width', 100);
  const concurrency = numberFlag(args, 'concurrency', 100);
  if (nodes % width !== 0) throw new RangeError(`--nodes (${nodes}) must be a multiple of --width (${width})`);
  const stackTracesOn = flag(args, 'stack-traces', 'off') === 'on';
  const counter = installCountingRuntime();
  console.log(`scale: ${nodes.toLocaleString('en')}-node layered DAG (${nodes / width} × ${width}), concurrency ${concurrency}, mode ${flag(args, 'mode', 'default')}; node ${process.version}; load ${loadLine()}`);

  // The definition and the compiled DAG go out of scope here, so the RSS figures hold what a worker holds, plus the client.
  let packed: PackedDag | undefined = prepare(args, nodes, width, concurrency);

  const cli = await requireTemporalCli({ progress: console.log });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-scale-'));
  const server = await startDevServer({ cliPath: cli.path, dbFilename: join(scratch, 'temporal.db') });
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('./workflows'));
    const dataConverter = weftDataConverter();
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, dataConverter });
    const native = await NativeConnection.connect({ address: server.address });
    let done = 0;
    const { value: worker, state: stackTraces } = await withWorkflowStackTraces(stackTracesOn, () => Worker.create({
      connection: native,
      taskQueue: 'bench-scale',
      workflowBundle: { codePath },
      dataConverter,
      activities: {
        noop: async (x: unknown) => {
          done++;
          return x;
        },
      },
      interceptors: { activity: [weftActivityInterceptor] },
      // The bundle carries Weft's workflow telemetry interceptors, which call these sinks.
      sinks: telemetrySinks(),
    }));
    console.log(`  workflow stack traces ${stackTraces} (a Weft worker's default is off; --stack-traces on keeps the SDK's)`);
    const running = worker.run();
    let peak = process.memoryUsage().rss;
    const base = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const started = performance.now();
    const progress = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      console.log(`  … ${s.toFixed(0)} s: ${done} activities done (${(done / s).toFixed(1)}/s), RSS ${mib(process.memoryUsage().rss)}, peak ${mib(peak)}; load ${loadLine()}`);
    }, 60_000);
    try {
      const partitions = partitionFlags(args);
      console.log(`  partitions: ${JSON.stringify({ ...DEFAULT_PARTITIONING, ...partitions })}`);
      const handle = await client.workflow.start('dagRun', { taskQueue: 'bench-scale', workflowId: `bench-scale-${Date.now()}`, args: [{ dag: packed, ...(partitions ? { partitions } : {}) }] });
      packed = undefined;
      const result = (await handle.result()) as Record<string, number>;
      const wall = performance.now() - started;
      clearInterval(progress);
      clearInterval(sampler);
      const last = nodes / width - 1;
      if (result[`n${last}_7`] !== 7 + last) throw new Error(`wrong result: n${last}_7 = ${String(result[`n${last}_7`])}`);
      console.log(`  wall ${(wall / 1000).toFixed(1)} s (${(nodes / (wall / 1000)).toFixed(1)} nodes/s), ${done} activities for ${nodes} nodes; load ${loadLine()}`);
      console.log(`  RSS before ${mib(base)}, peak ${mib(peak)} (limit 1024 MiB)`);
      const facts = await collectRunFacts(client, handle.workflowId, handle.firstExecutionRunId);
      for (const line of describeRunFacts(facts, counter.taskNotFound())) console.log(`  ${line}`);
    } finally {
      clearInterval(progress);
      clearInterval(sampler);
      worker.shutdown();
      await running;
      await connection.close();
    }
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
