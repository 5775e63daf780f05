/**
 * Creates a Weft worker: the `dagRun` interpreter plus the registered
 * activities, on one task queue. `weft worker` and `weft dev` both use it.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { WeftConfig } from '../config/schema';
import { tlsOptions } from '../config/tls';
import type { Logger } from '../common/logger';
import { buildWorkflowBundle, hasPrebuiltBundle, prebuiltBundlePath } from './bundle';

export interface CreateWeftWorkerOptions {
  config: WeftConfig;
  logger: Logger;
  /** Reuse a connection; otherwise one is opened from `config.temporal`. */
  connection?: NativeConnection;
  /** Activity implementations by registered name. */
  activities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Task queue; defaults to `config.taskQueue`. */
  taskQueue?: string;
  /** Tuning passed through to the SDK worker. */
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxActivitiesPerSecond' | 'maxTaskQueueActivitiesPerSecond' | 'shutdownGraceTime'>;
}

export async function connectWorker(temporal: WeftConfig['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: temporal.address,
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
    ...(temporal.tls ? { tls: tlsOptions(temporal.tls) } : {}),
  });
}

export async function createWeftWorker(opts: CreateWeftWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection; ownsConnection: boolean }> {
  const connection = opts.connection ?? (await connectWorker(opts.config.temporal));
  const workflowSource = hasPrebuiltBundle()
    ? { workflowBundle: { codePath: prebuiltBundlePath() } }
    : { workflowBundle: await buildWorkflowBundle() };
  const worker = await Worker.create({
    connection,
    namespace: opts.config.temporal.namespace,
    taskQueue: opts.taskQueue ?? opts.config.taskQueue,
    activities: opts.activities ?? {},
    ...workflowSource,
    ...opts.tuning,
  });
  opts.logger.debug({ taskQueue: opts.taskQueue ?? opts.config.taskQueue, prebuiltBundle: hasPrebuiltBundle() }, 'worker created');
  return { worker, connection, ownsConnection: !opts.connection };
}
