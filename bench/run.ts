/**
 * Benchmarks, run side by side on one dev server in one process:
 *
 *   overhead  a 100-node layered DAG (10 layers × 10) of no-op activities,
 *             through dagRun and through the hand-written workflow in
 *             bench/workflows.ts, alternating, N runs each. Reports median wall
 *             time and history events, and their ratios.
 *   large     a 5,000-node layered DAG (50 × 100) through dagRun, sampling the
 *             worker process's RSS every 100 ms; reports peak RSS and wall time.
 *
 * and, each in a module of its own (not part of `all`):
 *
 *   peers, peers-devserver, peers-worker   bench/peers/main.ts
 *   cli                                    bench/cli.ts
 *   start-by-name                          bench/start-by-name.ts
 *
 * Usage: npm run bench [-- overhead|large|peers|…] [--runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { layeredDag } from './layered';
import { median } from './stats';
import { telemetrySinks } from '../src/telemetry/worker';

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'all';
const runsFlag = args.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 7;


async function main(): Promise<void> {
  if (which === 'peers' || which === 'peers-devserver' || which === 'peers-worker') return (await import('./peers/main')).runPeers(which, args);
  if (which === 'cli') return (await import('./cli')).runCliBench(args);
  if (which === 'start-by-name') return (await import('./start-by-name')).runStartByName(args);
  if (which === 'api-start-rate') return (await import('./api-start-rate')).runApiStartRate(args);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  console.log(`dev server ${server.version} on ${server.address}; node ${process.version}; ${RUNS} runs per side`);
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('./workflows'));
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address: server.address });
    // Same settings for both sides; only Weft's worker has Weft's activity interceptor.
    const make = (taskQueue: string, weft: boolean) =>
      Worker.create({
        connection: native,
        taskQueue,
        workflowBundle: { codePath },
        sinks: telemetrySinks(),
        activities: { noop: async (x: unknown) => x },
        ...(weft ? { interceptors: { activity: [weftActivityInterceptor] } } : {}),
        maxConcurrentActivityTaskExecutions: 200,
      });
    const workers = [await make('bench-weft', true), await make('bench-hand', false)];
    const running = workers.map((w) => w.run());
    try {
      if (which === 'all' || which === 'overhead') await overhead(client, 'bench-weft', 'bench-hand');
      if (which === 'all' || which === 'large') await large(client, 'bench-weft');
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

async function large(client: Client, taskQueue: string): Promise<void> {
  const dag = packDag(compileDag(layeredDag('bench-large', 50, 100, 100)));
  let peak = process.memoryUsage().rss;
  const base = peak;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  const handle = await client.workflow.start('dagRun', { taskQueue, workflowId: `bench-large-${Date.now()}`, args: [{ dag }] });
  await handle.result();
  const ms = performance.now() - t0;
  clearInterval(sampler);
  let executions = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) executions++;
  console.log('\nlarge: 5,000-node layered DAG (50 × 100), concurrency 100, worker and client in this process');
  console.log(`  wall ${(ms / 1000).toFixed(1)} s, executions (continue-as-new chain) ${executions}`);
  console.log(`  RSS before ${(base / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB (limit 1024 MiB)`);
}

main().then(
  // Clients and workers that linger would keep the process alive after the figures are printed.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
