/**
 * The two Temporal systems: Weft (dagRun through WeftClient.startRun, on a
 * worker built from the same parts as createWeftWorker — built-in registry,
 * Weft's activity interceptor, the default payload codec, SDK default
 * tuning — but sharing the benchmark's one workflow bundle, so adding a
 * system does not cost another webpack build) and the hand-written workflows
 * in bench/workflows.ts on a plain SDK worker. Both run against a dev server
 * configured as `weft dev` starts it: SQLite file, Weft's dynamic config, and
 * the SQLite pragmas under test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { withWorkflowStackTraces } from '../../src/workers/stack-traces';
import { telemetryActivityInterceptors, telemetrySinks } from '../../src/telemetry/worker';
import { buildDag, chain, chord, group, task } from '../../src/dag/builder';
import type { CompiledDag } from '../../src/dag/types';
import { configSchema } from '../../src/config/schema';
import { createWeftClient } from '../../src/client';
import { createActivityRegistry } from '../../src/activities';
import { createActivityInterceptor } from '../../src/workers/interceptors';
import { createPayloadSupport } from '../../src/payloads/support';
import { startDevServer, WEFT_DEV_SQLITE_PRAGMAS, type DevServer, type DevServerOptions } from '../../src/temporal/dev-server';
import { CHAIN_LENGTH, CHORD_WIDTH, type PeerSystem, type Shape, type ShapeName } from './shapes';

/** Worker options the benchmark may vary; everything else is the SDK's or Weft's default. */
export type WorkerKnobs = Pick<WorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'workflowTaskPollerBehavior' | 'activityTaskPollerBehavior'>;

export interface BenchServer {
  readonly server: DevServer;
  /** Names the server's durability next to each figure. */
  readonly durability: string;
  stop(): Promise<void>;
}

export function describePragmas(pragmas: Readonly<Record<string, string>>): string {
  const entries = Object.entries(pragmas);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'SQLite defaults (journal_mode=delete, synchronous=full)';
}

/** A dev server as `weft dev` runs it (a SQLite file in a data dir), with the given pragmas and, for run-cost, extra dynamic config and a known metrics port. */
export async function startBenchServer(cliPath: string, pragmas: Readonly<Record<string, string>> = WEFT_DEV_SQLITE_PRAGMAS, extra: Pick<DevServerOptions, 'dynamicConfig' | 'metricsPort'> = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-temporal-'));
  const server = await startDevServer({ cliPath, dbFilename: join(dir, 'temporal.db'), sqlitePragmas: pragmas, ...extra });
  return {
    server,
    durability: `dev server SQLite file, ${describePragmas(pragmas)}`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SHAPE_DAGS: Record<ShapeName, () => CompiledDag> = {
  single: () => buildDag('bench-single', task('a', 'noop')),
  chain: () => buildDag('bench-chain', chain(...Array.from({ length: CHAIN_LENGTH }, (_, i) => task(`n${i}`, 'noop')))),
  chord: () => buildDag('bench-chord', chord(group(...Array.from({ length: CHORD_WIDTH }, (_, i) => task(`p${i}`, 'noop'))), task('callback', 'noop'))),
};

let seq = 0;
const uniqueId = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${seq++}`;

async function runAll(starts: Array<() => Promise<{ result(): Promise<unknown> }>>): Promise<number> {
  const t0 = performance.now();
  const handles = await Promise.all(starts.map((s) => s()));
  await Promise.all(handles.map((h) => h.result()));
  return performance.now() - t0;
}

/** A Weft worker as `weft worker` builds it, in the benchmark process, with its config and a way to stop it. */
export interface WeftBenchWorker {
  config: ReturnType<typeof configSchema.parse>;
  /** The worker's connection; a client built on it can start runs eagerly on this worker. */
  connection: NativeConnection;
  stop(): Promise<void>;
}

export async function startWeftBenchWorker(bench: BenchServer, codePath: string, taskQueue: string, knobs?: WorkerKnobs): Promise<WeftBenchWorker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-bench-data-'));
  const config = configSchema.parse({ dataDir, taskQueue, temporal: { address: bench.server.address } });
  const registry = await createActivityRegistry();
  const payloads = createPayloadSupport(config.payloads, { dataDir });
  const native = await NativeConnection.connect({ address: bench.server.address });
  // As `weft worker` builds it: per-promise stack capture off (worker.workflowStackTraces defaults to false).
  const { value: worker } = await withWorkflowStackTraces(false, () => Worker.create({
    connection: native,
    taskQueue,
    activities: registry.toWorkerActivities(),
    dataConverter: payloads.dataConverter,
    // Weft's telemetry, as createWeftWorker registers it: the workflow reports run start/end to these sinks.
    interceptors: { activity: [...telemetryActivityInterceptors(), createActivityInterceptor(), ...payloads.activityInterceptors] },
    sinks: telemetrySinks(),
    workflowBundle: { codePath },
    ...knobs,
  }));
  const running = worker.run();
  return {
    config,
    connection: native,
    async stop() {
      worker.shutdown();
      await running;
      await native.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `eager`: the client shares the worker's NativeConnection and starts runs eagerly, as `weft dev` does. */
export async function startWeftSystem(bench: BenchServer, codePath: string, opts: { name?: string; knobs?: WorkerKnobs; nodesPerRound: number; eager?: boolean }): Promise<PeerSystem> {
  const weftWorker = await startWeftBenchWorker(bench, codePath, uniqueId('weft'), opts.knobs);
  const { config } = weftWorker;
  const weft = opts.eager ? await createWeftClient({ config, connection: weftWorker.connection, client: { eagerStart: true } }) : await createWeftClient({ config });
  const dags = { single: SHAPE_DAGS.single(), chain: SHAPE_DAGS.chain(), chord: SHAPE_DAGS.chord() };
  return {
    name: opts.name ?? 'Weft',
    durability: bench.durability,
    nodesPerRound: opts.nodesPerRound,
    run(shape: Shape, jobs: number): Promise<number> {
      return runAll(
        Array.from({ length: jobs }, () => async () => {
          const started = await weft.startRun({ dag: dags[shape.name], input: null });
          return weft.temporal.workflow.getHandle(started.id);
        }),
      );
    },
    async close() {
      // The client connection stays open: result() calls of a stalled round still retry on it, and on a
      // closed channel they throw from a timer. The benchmark process exits right after the teardown.
      await weftWorker.stop();
    },
  };
}

export async function startHandSystem(bench: BenchServer, codePath: string, opts: { name?: string; knobs?: WorkerKnobs; nodesPerRound: number }): Promise<PeerSystem> {
  const taskQueue = uniqueId('hand');
  const native = await NativeConnection.connect({ address: bench.server.address });
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: { codePath }, activities: { noop: async (x: unknown) => x }, ...opts.knobs });
  const running = worker.run();
  const connection = await Connection.connect({ address: bench.server.address });
  const client = new Client({ connection });
  const workflow: Record<ShapeName, { type: string; args: unknown[] }> = {
    single: { type: 'handSingle', args: [] },
    chain: { type: 'handChain', args: [CHAIN_LENGTH] },
    chord: { type: 'handChord', args: [CHORD_WIDTH] },
  };
  return {
    name: opts.name ?? 'hand-written Temporal',
    durability: bench.durability,
    nodesPerRound: opts.nodesPerRound,
    run(shape: Shape, jobs: number): Promise<number> {
      const w = workflow[shape.name];
      return runAll(Array.from({ length: jobs }, () => () => client.workflow.start(w.type, { taskQueue, workflowId: uniqueId('hand'), args: w.args })));
    },
    async close() {
      worker.shutdown();
      await running;
      // See the Weft system: the client connection is left for the process exit to close.
      void connection;
      await native.close();
    },
  };
}
