/**
 * Benchmarks, run side by side on one dev server in one process:
 *
 *   overhead  a 100-node layered DAG (10 layers × 10) of no-op activities,
 *             through dagRun and through the hand-written workflow in
 *             bench/workflows.ts, alternating, N runs each. Reports median wall
 *             time and history events, and their ratios.
 *   large     a 5,000-node layered DAG (50 × 100) through dagRun and through
 *             the hand-written workflow, alternating (--large-runs N, default
 *             1 each); reports wall times and their ratio, peak RSS, and the
 *             workflow tasks of every dagRun execution, from its histories.
 *
 * and, each in a module of its own (not part of `all`):
 *
 *   scale                                  bench/scale.ts (100,000 nodes under weft dev's server)
 *   peers, peers-devserver, peers-worker   bench/peers/main.ts
 *   cli                                    bench/cli.ts
 *   start-by-name                          bench/start-by-name.ts
 *   run-cost                               bench/run-cost.ts (CPU per workflow run, eager start)
 *
 * Usage: npm run bench [-- overhead|large|peers|…] [--runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { layeredDag } from './layered';
import { collectRunFacts, describeRunFacts, installCountingRuntime } from './histories';
import { partitionFlags } from './scale';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { flag, loadLine, median, numberFlag } from './stats';
import { telemetrySinks } from '../src/telemetry/worker';

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'all';
const runsFlag = args.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 7;


/** Activity executions on the Weft worker: more than one per node means a node ran again. */
let weftCalls = 0;

async function main(): Promise<void> {
  if (which === 'peers' || which === 'peers-devserver' || which === 'peers-worker') return (await import('./peers/main')).runPeers(which, args);
  if (which === 'cli') return (await import('./cli')).runCliBench(args);
  if (which === 'start-by-name') return (await import('./start-by-name')).runStartByName(args);
  if (which === 'api-start-rate') return (await import('./api-start-rate')).runApiStartRate(args);
  if (which === 'scale') return (await import('./scale')).runScale(args);
  if (which === 'run-cost') return (await import('./run-cost')).runRunCost(args);
  const counter = installCountingRuntime();
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  console.log(`dev server ${server.version} on ${server.address}; node ${process.version}; ${RUNS} runs per side`);
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('./workflows'));
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address: server.address });
    // Same settings for both sides (the SDK's per-promise stack capture off, as in a Weft worker); only Weft's worker has Weft's activity interceptor.
    const make = async (taskQueue: string, weft: boolean) => {
      const options = {
        connection: native,
        taskQueue,
        workflowBundle: { codePath },
        sinks: telemetrySinks(),
        activities: {
          noop: async (x: unknown) => {
            if (weft) weftCalls++;
            return x;
          },
        },
        ...(weft ? { interceptors: { activity: [weftActivityInterceptor] } } : {}),
        maxConcurrentActivityTaskExecutions: 200,
      };
      return (await withWorkflowStackTraces(false, () => Worker.create(options))).value;
    };
    const workers = [await make('bench-weft', true), await make('bench-hand', false)];
    const running = workers.map((w) => w.run());
    try {
      if (which === 'all' || which === 'overhead') await overhead(client, 'bench-weft', 'bench-hand');
      if (which === 'all' || which === 'large') await large(client, 'bench-weft', 'bench-hand', counter);
    } finally {
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
    }
    await connection.close();
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function timed(client: Client, start: () => Promise<{ workflowId: string; result(): Promise<unknown> }>): Promise<{ ms: number; events: number; result: unknown }> {
  const t0 = performance.now();
  const handle = await start();
  const result = await handle.result();
  const ms = performance.now() - t0;
  const events = (await client.workflow.getHandle(handle.workflowId).describe()).historyLength;
  return { ms, events, result };
}

async function overhead(client: Client, weftQueue: string, handQueue: string): Promise<void> {
  const dag = packDag(compileDag(layeredDag('bench-overhead', 10, 10, 100)));
  const side = { dagRun: [] as Array<{ ms: number; events: number }>, hand: [] as Array<{ ms: number; events: number }> };
  const runDag = () => timed(client, () => client.workflow.start('dagRun', { taskQueue: weftQueue, workflowId: `bench-dag-${Date.now()}-${Math.random()}`, args: [{ dag }] }));
  const runHand = () => timed(client, () => client.workflow.start('handWrittenLayered', { taskQueue: handQueue, workflowId: `bench-hand-${Date.now()}-${Math.random()}`, args: [10, 10] }));
  // One warm-up of each, not counted: the first run pays for worker and bundle warm-up.
  const [a, b] = [await runDag(), await runHand()];
  if (JSON.stringify(a.result) !== JSON.stringify(b.result)) throw new Error('dagRun and the hand-written workflow disagree on the result');
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first so drift in the machine's load hits both sides.
    const pair = i % 2 === 0 ? [runDag, runHand] : [runHand, runDag];
    for (const run of pair) {
      const r = await run();
      (run === runDag ? side.dagRun : side.hand).push({ ms: r.ms, events: r.events });
    }
  }
  const dagMs = median(side.dagRun.map((r) => r.ms));
  const handMs = median(side.hand.map((r) => r.ms));
  const dagEv = median(side.dagRun.map((r) => r.events));
  const handEv = median(side.hand.map((r) => r.events));
  console.log('\noverhead: 100-node layered DAG (10 × 10), no-op activities');
  console.log(`  dagRun        median ${dagMs.toFixed(0)} ms, ${dagEv} history events   (runs: ${side.dagRun.map((r) => r.ms.toFixed(0)).join(', ')} ms)`);
  console.log(`  hand-written  median ${handMs.toFixed(0)} ms, ${handEv} history events   (runs: ${side.hand.map((r) => r.ms.toFixed(0)).join(', ')} ms)`);
  console.log(`  ratio         wall ${(dagMs / handMs).toFixed(3)}×   history events ${(dagEv / handEv).toFixed(3)}×`);
}

/**
 * The 5,000-node layered DAG through dagRun and through the hand-written
 * workflow of the same dataflow, alternating (`--large-runs`, default 1 per
 * side). Wall time is start to result at the client; RSS is the whole
 * process (both workers and the client); workflow tasks come from the
 * histories of every execution of the dagRun side.
 */
async function large(client: Client, weftQueue: string, handQueue: string, counter: { taskNotFound(): number }): Promise<void> {
  const layers = 50;
  const width = 100;
  const runs = numberFlag(args, 'large-runs', 1);
  // --mode local|remote|auto sets the DAG's defaults.mode; without it the compiler's default (auto) decides.
  const mode = flag(args, 'mode', '');
  const dag = packDag(compileDag({ ...layeredDag('bench-large', layers, width, width), ...(mode ? { defaults: { mode } } : {}) }));
  const partitions = partitionFlags(args);
  const walls = { dagRun: [] as number[], hand: [] as number[] };
  let peak = process.memoryUsage().rss;
  const base = peak;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  console.log(`\nlarge: 5,000-node layered DAG (${layers} × ${width}), concurrency ${width}, modes ${[...new Set(dag.nodes.map((n) => n.call?.mode ?? dag.common.mode))].join(', ')}; dagRun against the hand-written workflow, ${runs} run(s) each, alternating; partitions ${JSON.stringify(partitions ?? 'default')}; load ${loadLine()}`);
  let expected: string | undefined;
  for (let i = 0; i < runs; i++) {
    const sides = i % 2 === 0 ? (['dagRun', 'hand'] as const) : (['hand', 'dagRun'] as const);
    for (const side of sides) {
      const warningsBefore = counter.taskNotFound();
      const callsBefore = weftCalls;
      const t0 = performance.now();
      const handle =
        side === 'dagRun'
          ? await client.workflow.start('dagRun', { taskQueue: weftQueue, workflowId: `bench-large-${Date.now()}`, args: [{ dag, ...(partitions ? { partitions } : {}) }] })
          : await client.workflow.start('handWrittenLayered', { taskQueue: handQueue, workflowId: `bench-large-hand-${Date.now()}`, args: [layers, width] });
      const result = JSON.stringify(await handle.result());
      const ms = performance.now() - t0;
      walls[side].push(ms);
      if (expected !== undefined && result !== expected) throw new Error('dagRun and the hand-written workflow disagree on the result');
      expected = result;
      const f = await collectRunFacts(client, handle.workflowId, handle.firstExecutionRunId);
      const calls = side === 'dagRun' ? `, ${weftCalls - callsBefore} activity executions for ${layers * width} nodes` : '';
      console.log(`  ${side.padEnd(7)} run ${i + 1}: wall ${(ms / 1000).toFixed(1)} s${calls}; load ${loadLine()}`);
      for (const line of describeRunFacts(f, counter.taskNotFound() - warningsBefore)) console.log(`    ${line}`);
    }
  }
  clearInterval(sampler);
  const d = median(walls.dagRun);
  const h = median(walls.hand);
  console.log(`  median wall: dagRun ${(d / 1000).toFixed(1)} s, hand-written ${(h / 1000).toFixed(1)} s, ratio ${(d / h).toFixed(2)}× (target ≤ 1.2×)`);
  console.log(`  RSS before ${(base / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB (limit 1024 MiB); load ${loadLine()}`);
}

main().then(
  // Clients and workers that linger would keep the process alive after the figures are printed.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
