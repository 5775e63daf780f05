/**
 * Test helpers over the real servers started by the global setup. Every test
 * gets its own task queue and workflow ids, so tests never see each other's work.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { telemetrySinks } from '../../src/telemetry/worker';

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

export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath' | 'taskQueue'> & { taskQueue?: string };

/** A worker on its own task queue, using the workflow bundle built once per run. */
export async function createTestWorker(env: TestWorkflowEnvironment, opts: TestWorkerOptions = {}): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = opts.taskQueue ?? uniqueId('tq');
  const worker = await Worker.create({
    // The bundle carries Weft's telemetry interceptors, which call these sinks.
    sinks: telemetrySinks(),
    ...opts,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return { worker, taskQueue };
}
