/**
 * `npm run bench -- scale [--nodes 100000] [--width 100] [--concurrency 100] [--mode local|remote|auto]`:
 * one layered DAG of `nodes` no-op nodes (each depends on two nodes of the
 * layer before and reads one's output), run once through dagRun on a dev
 * server started as `weft dev` starts it (a SQLite file in WAL mode, Weft's
 * dynamic config).
 *
 * The worker runs in a child process (bench/scale-worker.ts), built like a
 * Weft worker: Weft's payload codec (gzip above 4 KiB), activity interceptor
 * and telemetry sinks, the SDK's per-promise stack capture off
 * (`--stack-traces on` keeps it), SDK default tuning (maxCachedWorkflows
 * included), and a pre-built bundle (written by a third process, as `npm run
 * build` writes one for `weft worker`). This process is the client: it
 * validates, compiles and packs the DAG, starts the run and waits. So the two
 * peak RSS figures (VmHWM from /proc/PID/status) are each side's own.
 *
 * Reports validate + compile time (wall and CPU), the packed DAG's size,
 * wall time, the worker's and the client's peak RSS and the worker's CPU,
 * activity executions per node (a node that ran twice is counted), and from
 * the histories of every execution (the continue-as-new chain and every
 * partition child): the longest workflow task, task failures and timeouts,
 * "Task not found" warnings, the biggest history and the stored size of
 * each execution's input.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { compileDag } from '../src/dag';
import { packDag, type PackedDag } from '../src/dag/pack';
import { DEFAULT_PARTITIONING, type PartitionSettings } from '../src/dag/partition';
import { weftDataConverter } from '../src/payloads';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { collectRunFacts, describeRunFacts } from './histories';
import { layeredDag } from './layered';
import type { WorkerReport } from './scale-worker';
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

/** A field of /proc/PID/status in bytes (VmRSS, VmHWM), or 0 when the process is gone. */
export function procStatusBytes(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Builds, validates, compiles and packs the DAG, and prints how long validate + compile took. */
function prepare(args: readonly string[], nodes: number, width: number, concurrency: number): PackedDag {
  // --mode local|remote|auto sets the DAG's defaults.mode; without it, nodes get the compiler's default (auto).
  const mode = flag(args, 'mode', '');
  const definition = { ...layeredDag('bench-scale', nodes / width, width, concurrency), ...(mode ? { defaults: { mode } } : {}) };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const compiled = compileDag(definition);
  const cpu = process.cpuUsage(c0);
  const compileMs = performance.now() - t0;
  const modes = new Set(compiled.nodes.map((n) => n.call?.mode));
  const packed = packDag(compiled);
  const packedBytes = Buffer.byteLength(JSON.stringify(packed));
  console.log(`  validate + compile ${(compileMs / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (target < 2 s); compiled modes ${[...modes].join(', ')}; packed DAG ${mib(packedBytes)} of JSON; load ${loadLine()}`);
  return packed;
}

const WORKER = join(__dirname, 'scale-worker.ts');

function forkWorker(argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(WORKER, argv, { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Writes the workflow bundle in a throwaway process. */
async function bundleApart(codePath: string): Promise<void> {
  const child = forkWorker(['bundle', codePath]);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`bundling the workflows failed (exit code ${String(code)})`);
}

/** A running worker child, its messages, and a way to ask it for its report. */
export interface WorkerChild {
  pid: number;
  report(): Promise<WorkerReport>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startWorkerChild(address: string, codePath: string, taskQueue: string, stackTraces: boolean): Promise<WorkerChild> {
  const child = forkWorker(['run', address, codePath, taskQueue], { ...process.env, WEFT_BENCH_STACK_TRACES: stackTraces ? 'on' : 'off' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; heapLimitMiB?: number }) => {
      if (m.ready) {
        console.log(`  worker pid ${child.pid}, heap limit ${m.heapLimitMiB?.toFixed(0)} MiB`);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`the worker exited before it was ready (exit code ${String(code)})`)));
  });
  return {
    pid: child.pid!,
    report: () =>
      new Promise<WorkerReport>((resolve) => {
        const on = (m: { report?: WorkerReport }) => {
          if (!m.report) return;
          child.off('message', on);
          resolve(m.report);
        };
        child.on('message', on);
        child.send('report');
      }),
    reset: () => child.send('reset'),
    stop: async () => {
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function describeWorkerReport(r: WorkerReport, nodes: number): string {
  return `${r.executions} activity executions for ${nodes} nodes (${r.distinctNodes} distinct, ${r.repeatedNodes} ran more than once, at most ${r.maxPerNode} times); worker CPU ${(r.cpuMs / 1000).toFixed(1)} s (${(r.cpuMs / nodes).toFixed(2)} ms per node); "Task not found" warnings ${r.taskNotFound}; stack traces ${r.stackTraces}`;
}

export async function runScale(args: string[]): Promise<void> {
  const nodes = numberFlag(args, 'nodes', 100_000);
  const width = numberFlag(args, 'width', 100);
  const concurrency = numberFlag(args, 'concurrency', 100);
  if (nodes % width !== 0) throw new RangeError(`--nodes (${nodes}) must be a multiple of --width (${width})`);
  const stackTracesOn = flag(args, 'stack-traces', 'off') === 'on';
  console.log(`scale: ${nodes.toLocaleString('en')}-node layered DAG (${nodes / width} × ${width}), concurrency ${concurrency}, mode ${flag(args, 'mode', 'default')}; node ${process.version}; load ${loadLine()}`);

  // The definition and the compiled DAG go out of scope here; only the packed DAG stays until the start.
  let packed: PackedDag | undefined = prepare(args, nodes, width, concurrency);

  const cli = await requireTemporalCli({ progress: console.log });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-scale-'));
  const server = await startDevServer({ cliPath: cli.path, dbFilename: join(scratch, 'temporal.db') });
  try {
    const codePath = join(scratch, 'bundle.js');
    await bundleApart(codePath);
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, dataConverter: weftDataConverter() });
    const worker = await startWorkerChild(server.address, codePath, 'bench-scale', stackTracesOn);
    const workerBase = procStatusBytes(worker.pid, 'VmRSS');
    const started = performance.now();
    const progress = setInterval(() => {
      const s = (performance.now() - started) / 1000;
      console.log(`  … ${s.toFixed(0)} s: worker RSS ${mib(procStatusBytes(worker.pid, 'VmRSS'))}, peak ${mib(procStatusBytes(worker.pid, 'VmHWM'))}; load ${loadLine()}`);
    }, 30_000);
    try {
      const partitions = partitionFlags(args);
      console.log(`  partitions: ${JSON.stringify({ ...DEFAULT_PARTITIONING, ...partitions })}`);
      const handle = await client.workflow.start('dagRun', { taskQueue: 'bench-scale', workflowId: `bench-scale-${Date.now()}`, args: [{ dag: packed, ...(partitions ? { partitions } : {}) }] });
      packed = undefined;
      const result = (await handle.result()) as Record<string, number>;
      const wall = performance.now() - started;
      clearInterval(progress);
      const workerPeak = procStatusBytes(worker.pid, 'VmHWM');
      const clientPeak = procStatusBytes('self', 'VmHWM');
      const last = nodes / width - 1;
      if (result[`n${last}_7`] !== 7 + last) throw new Error(`wrong result: n${last}_7 = ${String(result[`n${last}_7`])}`);
      const report = await worker.report();
      console.log(`  wall ${(wall / 1000).toFixed(1)} s (${(nodes / (wall / 1000)).toFixed(1)} nodes/s); load ${loadLine()}`);
      console.log(`  worker peak RSS ${mib(workerPeak)} (VmHWM; RSS when ready ${mib(workerBase)}; limit 1024 MiB); client peak RSS ${mib(clientPeak)} (compile, encode, start, wait)`);
      console.log(`  ${describeWorkerReport(report, nodes)}`);
      const facts = await collectRunFacts(client, handle.workflowId, handle.firstExecutionRunId);
      for (const line of describeRunFacts(facts, report.taskNotFound)) console.log(`  ${line}`);
    } finally {
      clearInterval(progress);
      await worker.stop();
      await connection.close();
    }
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
