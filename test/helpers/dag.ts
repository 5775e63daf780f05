/**
 * Runs DAGs through the real `dagRun` workflow on a real server, with
 * per-test activities that record what happened to them.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { Worker } from '@temporalio/worker';
import { onTestFinished } from 'vitest';
import { compileDag, type CompiledDag } from '../../src/dag';
import { packDag } from '../../src/dag/pack';
import { statusQuery, type RunStatus } from '../../src/workflows/messages';
import type { DagRunArgs } from '../../src/workflows';
import { weftActivityInterceptor } from '../../src/workers/interceptors';
import { createTestWorker, uniqueId, type TestWorkerOptions } from './temporal';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests pass typed inputs
export type ActivityFn = (input: any) => Promise<unknown>;

export interface Call {
  activity: string;
  activityId: string;
  /** `<workflowId>/<activityId>`: the node's idempotency key. */
  key: string;
  attempt: number;
  input: unknown;
  /** Server time the attempt was scheduled (virtual time under time skipping). */
  scheduledAt: number;
}

/** Records every activity call, and how many ran at once. */
export class Recorder {
  readonly calls: Call[] = [];
  /** `start:<activityId>` and `end:<activityId>` in the order they happened. */
  readonly events: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  /** Wraps an implementation so each call is recorded. */
  wrap(name: string, impl: ActivityFn = async (input: unknown) => input): ActivityFn {
    return async (input: unknown) => {
      const info = Context.current().info;
      this.calls.push({
        activity: name,
        activityId: info.activityId,
        key: `${info.workflowExecution?.workflowId}/${info.activityId}`,
        attempt: info.attempt,
        input,
        scheduledAt: info.currentAttemptScheduledTimestampMs,
      });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      this.events.push(`start:${info.activityId}`);
      try {
        return await impl(input);
      } finally {
        this.inFlight--;
        this.events.push(`end:${info.activityId}`);
      }
    };
  }

  /** Activity ids in the order their calls began. */
  order(): string[] {
    return this.calls.map((c) => c.activityId);
  }

  callsOf(activityId: string): Call[] {
    return this.calls.filter((c) => c.activityId === activityId);
  }
}

export interface DagWorker {
  worker: Worker;
  taskQueue: string;
  start(dag: unknown, opts?: { input?: unknown; workflowId?: string; reuse?: Record<string, unknown>; options?: DagRunArgs['options'] }): Promise<WorkflowHandleWithFirstExecutionRunId>;
}

export function compiled(dag: unknown): CompiledDag {
  return (dag as CompiledDag).formatVersion ? (dag as CompiledDag) : compileDag(dag);
}

/**
 * Creates a worker for dagRun with the given activities and starts it; it is
 * shut down when the current test finishes.
 */
export async function dagWorker(env: TestWorkflowEnvironment, activities: Record<string, ActivityFn>, opts: TestWorkerOptions = {}): Promise<DagWorker> {
  const { worker, taskQueue } = await createTestWorker(env, {
    ...opts,
    activities,
    interceptors: opts.interceptors ?? { activity: [weftActivityInterceptor] },
  });
  const running = worker.run();
  onTestFinished(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  return {
    worker,
    taskQueue,
    start: (dag, o = {}) =>
      env.client.workflow.start('dagRun', {
        taskQueue,
        workflowId: o.workflowId ?? uniqueId(compiled(dag).name),
        args: [{ dag: packDag(compiled(dag)), input: o.input, ...(o.reuse ? { reuse: o.reuse } : {}), ...(o.options ? { options: o.options } : {}) } satisfies DagRunArgs],
      }),
  };
}

/** Resolves when `predicate` holds for the run's status, polling the query. */
export async function waitForStatus<T>(handle: WorkflowHandle, predicate: (s: RunStatus) => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    const v = predicate(status);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`status never matched; last: ${JSON.stringify(status.nodes.map((n) => [n.id, n.state]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
