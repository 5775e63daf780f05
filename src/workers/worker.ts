/**
 * Creates a Weft worker: the `dagRun` interpreter plus the registered
 * activities (built-ins and the user's modules), on one task queue, with the
 * idempotency store that once() uses. `weft worker` and `weft dev` both use it.
 */
import { mkdirSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivityRegistry, openIdempotencyStore, setDefaultIdempotencyStore, type ActivityRegistry, type IdempotencyStore } from '../activities';
import type { WeftConfig } from '../config/schema';
import { connectionOptions } from '../client/connection';
import type { Logger } from '../common/logger';
import { buildWorkflowBundle, hasPrebuiltBundle, prebuiltBundlePath } from './bundle';
import { createActivityInterceptor } from './interceptors';
import { createPayloadSupport, type PayloadSupport } from '../payloads/support';
import { CircuitBreakers } from './circuit-breaker';
import { parseDuration } from '../dag/duration';
import { telemetryActivityInterceptors, telemetrySinks } from '../telemetry/worker';
import { startQueueProbe } from '../telemetry/queue-probe';
import { withWorkflowStackTraces, type StackTraceState } from './stack-traces';

export type WorkerTuning = Pick<
  WorkerOptions,
  'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxActivitiesPerSecond' | 'maxTaskQueueActivitiesPerSecond' | 'shutdownGraceTime'
>;

export interface CreateWeftWorkerOptions {
  config: WeftConfig;
  logger: Logger;
  /** Reuse a connection; otherwise one is opened from `config.temporal`. */
  connection?: NativeConnection;
  /** Use this registry instead of built-ins plus `config.activityModules`. */
  registry?: ActivityRegistry;
  /** Task queue; defaults to `config.taskQueue`. */
  taskQueue?: string;
  tuning?: WorkerTuning;
  /** Codec and claim check already built by the caller (weft dev shares them with its codec endpoint). */
  payloads?: PayloadSupport;
}

export interface WeftWorker {
  worker: Worker;
  registry: ActivityRegistry;
  /** Whether the workflow threads capture a stack per promise (config `worker.workflowStackTraces`). */
  workflowStackTraces: StackTraceState;
  /** Closes what the worker opened (connection, idempotency store). Call after run() returns. */
  close(): Promise<void>;
}

export async function connectWorker(temporal: WeftConfig['temporal']): Promise<NativeConnection> {
  // The same settings a client gets (address, API key, TLS, gRPC metadata), from one place.
  const { apiKey: _apiKey, ...rest } = connectionOptions(temporal);
  return NativeConnection.connect({ ...rest, ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}) });
}

function breakersFrom(config: WeftConfig): CircuitBreakers | undefined {
  const entries = Object.entries(config.circuitBreakers);
  if (entries.length === 0) return undefined;
  return new CircuitBreakers(Object.fromEntries(entries.map(([name, b]) => [name, { failureThreshold: b.failureThreshold, coolDownMs: parseDuration(b.coolDown)! }])));
}

/**
 * WEFT_WORKFLOW_BUNDLE names a pre-built bundle to load (tests and
 * benchmarks build one per run); else the one `npm run build` wrote; else
 * the workflows are bundled now.
 */
async function workflowBundle(): Promise<WorkerOptions['workflowBundle']> {
  const given = process.env.WEFT_WORKFLOW_BUNDLE?.trim();
  if (given) return { codePath: given };
  return hasPrebuiltBundle() ? { codePath: prebuiltBundlePath() } : await buildWorkflowBundle();
}

export async function createWeftWorker(opts: CreateWeftWorkerOptions): Promise<WeftWorker> {
  const { config, logger } = opts;
  const registry = opts.registry ?? (await createActivityRegistry({ modules: config.activityModules }));
  mkdirSync(config.dataDir, { recursive: true });
  const store: IdempotencyStore = openIdempotencyStore({ url: config.idempotency.url, dataDir: config.dataDir });
  setDefaultIdempotencyStore(store);
  const connection = opts.connection ?? (await connectWorker(config.temporal));
  const taskQueue = opts.taskQueue ?? config.taskQueue;
  const payloads = opts.payloads ?? createPayloadSupport(config.payloads, { dataDir: config.dataDir });
  const bundle = await workflowBundle();
  const { value: worker, state: stackTraces } = await withWorkflowStackTraces(config.worker.workflowStackTraces, () =>
    Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      activities: registry.toWorkerActivities(),
      dataConverter: payloads.dataConverter,
      // Outermost first: telemetry sees each attempt whole; the envelope then carries the claim-check reference, not the bytes.
      interceptors: { activity: [...telemetryActivityInterceptors(), createActivityInterceptor({ breakers: breakersFrom(config), payloadCodecs: payloads.dataConverter.payloadCodecs ?? [] }), ...payloads.activityInterceptors] },
      sinks: telemetrySinks(logger),
      workflowBundle: bundle,
      ...opts.tuning,
    }),
  );
  if (stackTraces === 'unchanged') {
    logger.warn({ taskQueue }, 'workflow stack traces could not be turned off (this SDK version starts its workflow threads differently); they stay on, and workflow threads use more CPU');
  }
  logger.info({ taskQueue, activities: registry.names(), idempotencyStore: store.description, prebuiltBundle: hasPrebuiltBundle(), workflowStackTraces: stackTraces }, 'worker ready');
  const stopProbe = startQueueProbe({ connection, namespace: config.temporal.namespace, taskQueue, dataConverter: payloads.dataConverter });
  return {
    worker,
    registry,
    workflowStackTraces: stackTraces,
    async close() {
      stopProbe();
      setDefaultIdempotencyStore(undefined);
      await store.close();
      if (!opts.connection) await connection.close();
    },
  };
}
