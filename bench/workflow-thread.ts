/**
 * The workflow thread's cost per node, with the SDK's per-promise stack
 * capture on and off (src/workers/stack-traces.ts), and how many JSONata
 * steps one activation survives either way.
 *
 *   cost    a layered DAG (default 2,000 nodes, width 100) and a chain of 10,
 *           each through dagRun on a worker with stack traces on and on one
 *           with them off, alternating, medians of --runs (default 3). Reports
 *           the worker process's CPU per node (user + system, all threads) and
 *           the wall time. The client that starts the runs lives in the same
 *           process; it costs one start and one result per run.
 *   steps   for each --items N (default 1500,5000,20000,90000), one run whose
 *           only node evaluates `$map([1..N], function($v){ $v * 2 })` (about
 *           3 steps per item), on a fresh worker process per trial, traces on
 *           and off: did the run complete, fail its node on a bound, or did
 *           the worker die?
 *
 * Usage: npx tsx bench/workflow-thread.ts [cost|steps] [--nodes N] [--runs N] [--items a,b,c]
 * Each figure is printed with the load average; record it with the figure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { withWorkflowStackTraces, type StackTraceState } from '../src/workers/stack-traces';
import { telemetrySinks } from '../src/telemetry/worker';
import { layeredDag } from './layered';
import { flag, loadLine, median, numberFlag } from './stats';

const args = process.argv.slice(2);
const mode = args.find((a) => !a.startsWith('--') && !/^[\d,]+$/.test(a)) ?? 'cost';

async function makeWorker(native: NativeConnection, codePath: string, taskQueue: string, traces: boolean, extra: Partial<WorkerOptions> = {}): Promise<{ worker: Worker; state: StackTraceState }> {
  const { value: worker, state } = await withWorkflowStackTraces(traces, () =>
    Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: { codePath },
      sinks: telemetrySinks(),
      activities: { noop: async (x: unknown) => x },
      interceptors: { activity: [weftActivityInterceptor] },
      maxConcurrentActivityTaskExecutions: 200,
      ...extra,
    }),
  );
  return { worker, state };
}

function chainDag(name: string, length: number): Record<string, unknown> {
  const nodes = Array.from({ length }, (_, i) => ({ id: `c${i}`, activity: 'noop', ...(i ? { after: [`c${i - 1}`] } : {}), input: i ? { v: `{{ nodes.c${i - 1}.output.v }}` } : { v: 1 } }));
  return { name, nodes };
}

interface Sample {
  cpuMs: number;
  wallMs: number;
}

async function measured(client: Client, taskQueue: string, dag: unknown): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const handle = await client.workflow.start('dagRun', { taskQueue, workflowId: `bench-wt-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, args: [{ dag }] });
  await handle.result();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

async function withServer<T>(fn: (address: string, codePath: string) => Promise<T>): Promise<T> {
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-wt-'));
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'));
    console.log(`dev server ${server.version} on ${server.address}; node ${process.version}`);
    return await fn(server.address, codePath);
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function cost(): Promise<void> {
  const nodes = numberFlag(args, 'nodes', 2000);
  const runs = numberFlag(args, 'runs', 3);
  const width = Math.min(100, nodes);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await withServer(async (address, codePath) => {
    const client = new Client({ connection: await Connection.connect({ address }) });
    const native = await NativeConnection.connect({ address });
    const sides = { on: await makeWorker(native, codePath, 'wt-on', true), off: await makeWorker(native, codePath, 'wt-off', false) };
    console.log(`stack traces: worker "on" → ${sides.on.state}, worker "off" → ${sides.off.state}`);
    const running = [sides.on.worker.run(), sides.off.worker.run()];
    try {
      const shapes = [
        { label: `layered ${nodes} nodes (width ${width})`, dag: packDag(compileDag(layeredDag('bench-wt-layered', Math.ceil(nodes / width), width, 100))), count: Math.ceil(nodes / width) * width },
        { label: 'chain of 10', dag: packDag(compileDag(chainDag('bench-wt-chain', 10))), count: 10 },
      ];
      for (const shape of shapes) {
        const out: Record<'on' | 'off', Sample[]> = { on: [], off: [] };
        // Warm-up on each side, not counted.
        for (const side of ['on', 'off'] as const) await measured(client, `wt-${side}`, shape.dag);
        const loads = [loadLine()];
        for (let i = 0; i < runs; i++) {
          const order = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
          for (const side of order) out[side].push(await measured(client, `wt-${side}`, shape.dag));
        }
        loads.push(loadLine());
        console.log(`\n${shape.label}: ${runs} runs per side, alternating; load before ${loads[0]}, after ${loads[1]}`);
        for (const side of ['on', 'off'] as const) {
          const cpu = median(out[side].map((s) => s.cpuMs));
          const wall = median(out[side].map((s) => s.wallMs));
          console.log(
            `  traces ${side.padEnd(3)}  CPU ${(cpu / shape.count).toFixed(2)} ms/node (median ${cpu.toFixed(0)} ms; runs ${out[side].map((s) => s.cpuMs.toFixed(0)).join(', ')})  wall ${(wall / 1000).toFixed(2)} s (runs ${out[side].map((s) => (s.wallMs / 1000).toFixed(2)).join(', ')})`,
          );
        }
        const ratio = median(out.off.map((s) => s.cpuMs)) / median(out.on.map((s) => s.cpuMs));
        console.log(`  off/on   CPU ${ratio.toFixed(2)}×, wall ${(median(out.off.map((s) => s.wallMs)) / median(out.on.map((s) => s.wallMs))).toFixed(2)}×`);
      }
    } finally {
      sides.on.worker.shutdown();
      sides.off.worker.shutdown();
      await Promise.allSettled(running);
    }
  });
}

/** The longest workflow task of a run, from WorkflowTaskStarted to Completed or Failed in its history (ms). */
async function longestWorkflowTask(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let started: number | undefined;
  let longest = 0;
  for (const e of history.events ?? []) {
    const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    if (e.workflowTaskStartedEventAttributes) started = at;
    else if ((e.workflowTaskCompletedEventAttributes || e.workflowTaskFailedEventAttributes) && started !== undefined) {
      longest = Math.max(longest, at - started);
      started = undefined;
    }
  }
  return longest;
}

/** One trial, in a child process: a worker dying may take the process with it. */
async function probe(): Promise<void> {
  const address = flag(args, 'address', '');
  const codePath = flag(args, 'bundle', '');
  const items = numberFlag(args, 'items', 1500);
  const traces = flag(args, 'traces', 'on') === 'on';
  const wait = numberFlag(args, 'wait', 120);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const native = await NativeConnection.connect({ address });
  const taskQueue = `wt-probe-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const isolate = flag(args, 'isolate-timeout', '');
  const { worker, state } = await makeWorker(native, codePath, taskQueue, traces, isolate ? ({ isolateExecutionTimeout: isolate } as Partial<WorkerOptions>) : {});
  let workerError: unknown;
  const running = worker.run().catch((err: unknown) => (workerError = err));
  const dag = packDag(compileDag({ name: 'bench-wt-steps', nodes: [{ id: 'm', activity: 'noop', input: `{{ $count($map([1..${items}], function($v){ $v * 2 })) }}` }] }));
  const handle = await client.workflow.start('dagRun', { taskQueue, workflowId: `${taskQueue}-run`, args: [{ dag }], workflowTaskTimeout: '60s' });
  const t0 = performance.now();
  const outcome = await Promise.race([
    handle.result().then(
      (r) => `completed (${JSON.stringify(r)})`,
      (err: unknown) => `run failed: ${err instanceof WorkflowFailedError ? String(err.cause?.message).slice(0, 140) : String(err)}`,
    ),
    running.then(() => `worker stopped: ${String((workerError as Error | undefined)?.message ?? 'no error').slice(0, 200)}`),
    new Promise<string>((r) => setTimeout(() => r(`no answer in ${wait} s`), wait * 1000)),
  ]);
  const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  console.log(JSON.stringify({ items, traces: state, outcome, seconds, longestWorkflowTaskMs: await longestWorkflowTask(client, handle.workflowId) }));
  process.exit(0);
}

async function steps(): Promise<void> {
  const list = flag(args, 'items', '1500,5000,20000,90000').split(',').map(Number);
  await withServer(async (address, codePath) => {
    for (const items of list) {
      for (const traces of ['on', 'off']) {
        const load = loadLine();
        const line = await new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [...process.execArgv, __filename, 'probe', '--address', address, '--bundle', codePath, '--items', String(items), '--traces', traces, ...(flag(args, 'isolate-timeout', '') ? ['--isolate-timeout', flag(args, 'isolate-timeout', '')] : []), '--wait', flag(args, 'wait', '120')], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code, signal) => {
            const last = out.trim().split('\n').pop() ?? '';
            if (last.startsWith('{')) return resolve(last);
            const log = join(tmpdir(), `weft-wt-probe-${items}-${traces}.log`);
            writeFileSync(log, err);
            const why = err.split('\n').find((l) => /fatal|error|corrupt|abort/i.test(l)) ?? err.trim().split('\n')[0] ?? '';
            resolve(`items ${items}, traces ${traces}: worker process died (exit ${code}, signal ${signal}): ${why.trim().slice(0, 200)} (stderr: ${log})`);
          });
        });
        console.log(`${line}   load ${load}`);
      }
    }
  });
}

const run = mode === 'probe' ? probe : mode === 'steps' ? steps : mode === 'cost' ? cost : undefined;
if (!run) {
  console.error(`unknown mode "${mode}"; expected cost or steps`);
  process.exit(2);
}
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
