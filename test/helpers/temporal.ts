/**
 * Test helpers over the real servers started by the global setup. Every test
 * gets its own task queue and workflow ids, so tests never see each other's work.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { telemetrySinks } from '../../src/telemetry/worker';
import { withWorkflowStackTraces } from '../../src/workers/stack-traces';

export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A client and native connection on the shared dev server. */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}

/** A fresh Java time-skipping server for this file (its clock is global to it). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
}

export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath' | 'taskQueue'> & {
  taskQueue?: string;
  /** The SDK's per-promise stack capture in workflow threads; off, as in Weft's workers (config `worker.workflowStackTraces`). */
  workflowStackTraces?: boolean;
};

/** A worker on its own task queue, using the workflow bundle built once per run. */
export async function createTestWorker(env: TestWorkflowEnvironment, opts: TestWorkerOptions = {}): Promise<{ worker: Worker; taskQueue: string }> {
  const { workflowStackTraces = false, ...rest } = opts;
  const taskQueue = rest.taskQueue ?? uniqueId('tq');
  const { value: worker } = await withWorkflowStackTraces(workflowStackTraces, () =>
    Worker.create({
      // The bundle carries Weft's telemetry interceptors, which call these sinks.
      sinks: telemetrySinks(),
      ...rest,
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    }),
  );
  return { worker, taskQueue };
}
