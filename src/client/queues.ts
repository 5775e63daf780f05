/**
 * FIFO per key: each queue key is one `fifoQueue` entity workflow, reached by
 * signal-with-start, that runs its jobs strictly in arrival order.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseDuration } from '../dag/duration';
import { packDag } from '../dag/pack';
import type { CompiledDag } from '../dag/types';
import { childRunId, enqueueSignal, queueStatusQuery, type QueueArgs, type QueueOptions, type QueueStatus } from '../workflows/queue';
import { WORKFLOW_TYPES } from '../temporal/search-attributes';

export const QUEUE_WORKFLOW_TYPE = WORKFLOW_TYPES.fifoQueue;

export interface EnqueueOptions {
  /** Job id: a second enqueue with it (within the dedupe window) is dropped. @defaultValue a random id */
  idempotencyKey?: string;
  priority?: number;
  /** Settings used when this call creates the queue (ignored when it already runs). */
  queue?: {
    concurrency?: number;
    debounce?: string | number;
    throttle?: string | number;
    dedupeWindow?: string | number;
    continueAsNewAfterEvents?: number;
  };
}

export interface EnqueuedJob {
  queue: string;
  /** Workflow id of the queue's entity workflow. */
  queueId: string;
  jobId: string;
  /** Workflow id the job's run will have. */
  runId: string;
}

export class QueueNotFoundError extends Error {
  override readonly name = 'QueueNotFoundError';
  constructor(readonly key: string) {
    super(`no queue "${key}"`);
  }
}

const KEY_PATTERN = /^[A-Za-z0-9._:@-]{1,200}$/;

export function queueWorkflowId(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new RangeError(`queue key: expected 1–200 characters of letters, digits and . _ : @ -, got ${JSON.stringify(key)}`);
  return `weft-queue:${key}`;
}

function ms(name: string, v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const out = parseDuration(v);
  if (out === undefined) throw new RangeError(`${name}: expected a duration such as 30s, got ${JSON.stringify(v)}`);
  return out;
}

export async function enqueue(client: Client, taskQueue: string, key: string, dag: CompiledDag, input: unknown, opts: EnqueueOptions = {}): Promise<EnqueuedJob> {
  const queueId = queueWorkflowId(key);
  const jobId = opts.idempotencyKey ?? randomUUID();
  const q = opts.queue ?? {};
  const options: QueueOptions = {
    ...(q.concurrency ? { concurrency: q.concurrency } : {}),
    ...(q.debounce !== undefined ? { debounceMs: ms('debounce', q.debounce) } : {}),
    ...(q.throttle !== undefined ? { throttleMs: ms('throttle', q.throttle) } : {}),
    ...(q.dedupeWindow !== undefined ? { dedupeWindowMs: ms('dedupeWindow', q.dedupeWindow) } : {}),
    ...(q.continueAsNewAfterEvents ? { continueAsNewAfterEvents: q.continueAsNewAfterEvents } : {}),
  };
  await client.workflow.signalWithStart(QUEUE_WORKFLOW_TYPE, {
    workflowId: queueId,
    taskQueue,
    args: [{ key, options } satisfies QueueArgs],
    signal: enqueueSignal,
    signalArgs: [{ jobId, dag: packDag(dag), input: input ?? null, ...(opts.priority ? { priority: opts.priority } : {}) }],
    staticSummary: `queue ${key}`,
  });
  return { queue: key, queueId, jobId, runId: childRunId(queueId, jobId) };
}

export async function queueStatus(client: Client, key: string, recent = 50): Promise<QueueStatus> {
  try {
    return await client.workflow.getHandle(queueWorkflowId(key)).query(queueStatusQuery, { recent });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new QueueNotFoundError(key);
    throw err;
  }
}
