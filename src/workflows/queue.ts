/**
 * `fifoQueue`: one entity workflow per queue key. Jobs arrive by signal
 * (signal-with-start from the client), are numbered in arrival order, and run
 * as `dagRun` child workflows strictly in that order, `concurrency` at a time
 * (1 by default). Optional debounce (only the newest job of a quiet period
 * runs) and throttle (at most one start per interval). Duplicate job ids within
 * the dedupe window are dropped. History stays bounded with continue-as-new,
 * which carries every job not yet finished.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { CompiledDag } from '../dag/types';
import type { PackedDag } from '../dag/pack';
import { WORKFLOW_TYPES } from '../temporal/search-attributes';

export interface QueueJob {
  /** Idempotency key of the job; also the child run's id suffix. */
  jobId: string;
  dag: CompiledDag | PackedDag;
  input?: unknown;
  priority?: number;
}

export interface QueueOptions {
  /** Jobs of this key running at once. @defaultValue 1 */
  concurrency?: number;
  /** Run only the newest job once no new job arrived for this long (ms); older ones are superseded. */
  debounceMs?: number;
  /** Start at most one job per this many ms. */
  throttleMs?: number;
  /** How long a job id is remembered for de-duplication (ms). @defaultValue 24h */
  dedupeWindowMs?: number;
  /** Continue-as-new after this many history events. @defaultValue Temporal's suggestion */
  continueAsNewAfterEvents?: number;
  /** Task queue of the child runs. @defaultValue the queue's own */
  taskQueue?: string;
}

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'superseded';

export interface JobRecord {
  jobId: string;
  seq: number;
  state: JobState;
  runId?: string;
  acceptedAt: number;
}

export interface QueueState {
  nextSeq: number;
  pending: Array<QueueJob & { seq: number; acceptedAt: number }>;
  /** Recently seen job ids with their acceptance time, for de-duplication. */
  seen: Record<string, number>;
  /** The last finished jobs, newest last (bounded). */
  log: JobRecord[];
  lastStartAt?: number;
  /** Continue-as-new generations so far. */
  generation: number;
  counts: { accepted: number; succeeded: number; failed: number; superseded: number; duplicates: number };
}

export interface QueueArgs {
  key: string;
  options?: QueueOptions;
  state?: QueueState;
}

export interface QueueStatus {
  key: string;
  length: number;
  running: JobRecord[];
  next: JobRecord[];
  recent: JobRecord[];
  counts: QueueState['counts'];
  generation: number;
}

export const enqueueSignal = defineSignal<[QueueJob]>('enqueue');
export const queueStatusQuery = defineQuery<QueueStatus, [{ recent?: number }?]>('queueStatus');

const LOG_LIMIT = 1000;
const SEEN_LIMIT = 10_000;
const DAY = 86_400_000;

export function childRunId(queueWorkflowId: string, jobId: string): string {
  return `${queueWorkflowId}/${jobId}`;
}

export async function fifoQueue(args: QueueArgs): Promise<void> {
  const opts = args.options ?? {};
  const concurrency = opts.concurrency ?? 1;
  const dedupeWindow = opts.dedupeWindowMs ?? DAY;
  const state: QueueState = args.state ?? { nextSeq: 0, pending: [], seen: {}, log: [], generation: 0, counts: { accepted: 0, succeeded: 0, failed: 0, superseded: 0, duplicates: 0 } };
  const running = new Map<string, JobRecord>();
  let lastArrival = 0;

  setHandler(enqueueSignal, (job) => {
    const now = Date.now();
    const seenAt = state.seen[job.jobId];
    if (seenAt !== undefined && now - seenAt < dedupeWindow) {
      state.counts.duplicates++;
      return;
    }
    state.seen[job.jobId] = now;
    state.pending.push({ ...job, seq: state.nextSeq++, acceptedAt: now });
    state.counts.accepted++;
    lastArrival = now;
  });

  setHandler(queueStatusQuery, (q) => ({
    key: args.key,
    length: state.pending.length,
    running: [...running.values()],
    next: state.pending.slice(0, 20).map((j) => ({ jobId: j.jobId, seq: j.seq, state: 'pending' as const, acceptedAt: j.acceptedAt })),
    recent: state.log.slice(-(q?.recent ?? 50)),
    counts: state.counts,
    generation: state.generation,
  }));

  const record = (r: JobRecord): void => {
    state.log.push(r);
    if (state.log.length > LOG_LIMIT) state.log.splice(0, state.log.length - LOG_LIMIT);
  };

  const runJob = async (job: QueueState['pending'][number]): Promise<void> => {
    const runId = childRunId(workflowInfo().workflowId, job.jobId);
    const rec: JobRecord = { jobId: job.jobId, seq: job.seq, state: 'running', runId, acceptedAt: job.acceptedAt };
    running.set(job.jobId, rec);
    try {
      const child = await startChild(WORKFLOW_TYPES.dagRun, {
        workflowId: runId,
        args: [{ dag: job.dag, input: job.input ?? null }],
        taskQueue: opts.taskQueue ?? workflowInfo().taskQueue,
        // A queue that continues as new must not take its running jobs down with it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        ...(job.priority ? { priority: { priorityKey: job.priority } } : {}),
      });
      await child.result();
      rec.state = 'succeeded';
      state.counts.succeeded++;
    } catch {
      rec.state = 'failed';
      state.counts.failed++;
    } finally {
      running.delete(job.jobId);
      record(rec);
    }
  };

  const historyIsLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (opts.continueAsNewAfterEvents !== undefined && info.historyLength >= opts.continueAsNewAfterEvents);
  };

  for (;;) {
    // Wait for work and a free slot, or for the moment to hand over to a fresh run.
    await condition(() => (state.pending.length > 0 && running.size < concurrency) || (historyIsLong() && running.size === 0));
    if (historyIsLong() && running.size === 0) break;

    if (opts.debounceMs !== undefined) {
      // Wait for a quiet period; every job but the newest is superseded.
      while (Date.now() - lastArrival < opts.debounceMs) await sleep(opts.debounceMs - (Date.now() - lastArrival));
      while (state.pending.length > 1) {
        const old = state.pending.shift()!;
        state.counts.superseded++;
        record({ jobId: old.jobId, seq: old.seq, state: 'superseded', acceptedAt: old.acceptedAt });
      }
    }
    if (opts.throttleMs !== undefined && state.lastStartAt !== undefined) {
      const wait = state.lastStartAt + opts.throttleMs - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const job = state.pending.shift();
    if (!job) continue;
    state.lastStartAt = Date.now();
    void runJob(job);
  }

  await condition(allHandlersFinished);
  // Carry only what de-duplication still needs: ids inside the window, at most SEEN_LIMIT of them.
  const now = Date.now();
  const seen = Object.entries(state.seen).filter(([, t]) => now - t < dedupeWindow);
  state.seen = Object.fromEntries(seen.slice(-SEEN_LIMIT));
  state.generation++;
  await continueAsNew<typeof fifoQueue>({ key: args.key, options: opts, state });
}
