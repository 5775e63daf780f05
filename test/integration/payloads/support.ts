/** Helpers for the payload integration tests: a dagRun worker with chosen options, and raw history payloads. */
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { onTestFinished } from 'vitest';
import { compileDag } from '../../../src/dag';
import { packDag } from '../../../src/dag/pack';
import type { DagRunArgs } from '../../../src/workflows';
import { createTestWorker, uniqueId, type TestWorkerOptions } from '../../helpers/temporal';

/** Starts a worker for dagRun on its own task queue; it stops when the test finishes. */
export async function runningWorker(env: TestWorkflowEnvironment, opts: TestWorkerOptions): Promise<string> {
  const { worker, taskQueue } = await createTestWorker(env, opts);
  const running = worker.run();
  onTestFinished(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  return taskQueue;
}

/** Workflow start options for dagRun with a DAG definition. */
export function dagRunStart(def: unknown, taskQueue: string, input?: unknown): { taskQueue: string; workflowId: string; args: [DagRunArgs] } {
  const dag = compileDag(def);
  return { taskQueue, workflowId: uniqueId(dag.name), args: [{ dag: packDag(dag), input }] };
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Every Payload anywhere in an event, found by shape (metadata map and data bytes). */
export function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return found;
  const v = value as { metadata?: unknown; data?: unknown };
  if (v.data instanceof Uint8Array && typeof v.metadata === 'object' && v.metadata !== null) {
    found.push(v as Payload);
    return found;
  }
  for (const child of Object.values(value)) payloadsIn(child, found);
  return found;
}

export function eventsOfType(events: readonly HistoryEvent[], attribute: keyof HistoryEvent): HistoryEvent[] {
  return events.filter((e) => e[attribute] !== null && e[attribute] !== undefined);
}

export function encodingOf(payload: Payload): string {
  return Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString();
}
