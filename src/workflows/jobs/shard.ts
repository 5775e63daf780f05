/**
 * `jobShard`: one long-lived shard of a job queue (`weft-jobs:<queue>:<n>`).
 * Jobs arrive in batches by signal-with-start, wait in arrival order, and run
 * in waves of up to `concurrency`. In the batch lane (batch.ts, new shard runs
 * since `weft-jobs-batch-lane`) up to `batchSize` jobs share one local
 * activity that answers one outcome per job; a failed job is retried on its
 * own, on the one-job lane: one local activity with the job's retry policy and
 * timeouts. Either way a job costs a fraction of a marker event, not a
 * workflow start. A wave ends when its slowest job ends; quick waves follow each
 * other in one workflow task up to `jobsPerTask` jobs (since `weft-jobs-waves`),
 * then the task closes.
 * A job that fails for good starts a `jobFailed` record (record.ts), so it
 * stays visible and re-runnable. The shard continues as new before its
 * history grows large: it stops starting jobs, lets the running ones finish,
 * and carries the pending jobs and the ids it remembers. Signals that arrive
 * while it hands over make Temporal refuse the hand-over until they are
 * handled, so no accepted job is dropped.
 */
import {
  condition,
  makeContinueAsNewFunc,
  ParentClosePolicy,
  patched,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { CompiledActivityCall } from '../../dag/types';
import { SEARCH_ATTRIBUTE_KEYS } from '../../temporal/search-attributes';
import { describeFailure } from '../activity-call';
import { unwrapResult } from '../envelope';
import type { NodeError } from '../messages';
import { BATCH_LANE_PATCH, batchActivityOptions, batchEligible, batchItem, retryAfterBatch } from './batch';
import { ShardBook } from './book';
import { WAVES_PATCH } from './waves';
import {
  FAILED_RECORD_PREFIX,
  JOB_BATCH_ACTIVITY,
  jobIdempotencyKey,
  JOB_WORKFLOW_TYPES,
  jobsQuery,
  listJobsQuery,
  SHARD_DEFAULTS,
  shardSummaryQuery,
  submitJobsSignal,
  type JobBatchInput,
  type JobFailedArgs,
  type JobOutcome,
  type JobShardArgs,
  type JobSpec,
  type ShardOptions,
} from './types';

export { jobIdempotencyKey } from './types';

type AnyActivity = (input: unknown, meta: JobCallMeta) => Promise<unknown>;

/**
 * The second argument every job's activity receives. A local activity's id is
 * a sequence number that restarts with every run of the shard, so the job's
 * key travels here; the registry makes it the activity's idempotency key.
 */
export interface JobCallMeta {
  weftIdempotencyKey: string;
}

export function localActivityOptions(call: CompiledActivityCall, summary: string): LocalActivityOptions {
  const t = call.timeouts;
  return {
    summary,
    startToCloseTimeout: t.startToCloseMs,
    ...(t.scheduleToCloseMs !== undefined ? { scheduleToCloseTimeout: t.scheduleToCloseMs } : {}),
    ...(t.scheduleToStartMs !== undefined ? { scheduleToStartTimeout: t.scheduleToStartMs } : {}),
    retry: {
      // As in a DAG: 0 means unlimited, which the SDK says by leaving the field out.
      ...(call.retry.maximumAttempts > 0 ? { maximumAttempts: call.retry.maximumAttempts } : {}),
      initialInterval: call.retry.initialIntervalMs,
      backoffCoefficient: call.retry.backoffCoefficient,
      maximumInterval: call.retry.maximumIntervalMs,
      nonRetryableErrorTypes: call.retry.nonRetryableErrorTypes,
    },
  };
}

/** WeftDag=jobs.<queue> and WeftStatus=failed, when the shard itself was started with Weft's search attributes. */
function recordAttributes(queue: string): SearchAttributePair[] | undefined {
  if (workflowInfo().typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.dag) === undefined) return undefined;
  return [
    { key: SEARCH_ATTRIBUTE_KEYS.dag, value: `jobs.${queue}` },
    { key: SEARCH_ATTRIBUTE_KEYS.status, value: 'failed' },
  ];
}

export async function jobShard(args: JobShardArgs): Promise<void> {
  let options: ShardOptions = args.options ?? {};
  const book = new ShardBook(args.queue, args.shard, args.carried);

  setHandler(submitJobsSignal, (batch) => {
    if (batch.options) options = batch.options;
    for (const job of batch.jobs) book.submit(job);
  });
  setHandler(jobsQuery, (ids) => ids.map((id) => book.view(id)));
  setHandler(shardSummaryQuery, () => book.summary());
  setHandler(listJobsQuery, (q) => book.list(q?.state, Math.min(Math.max(q?.limit ?? 50, 1), 1000)));

  const recordFailure = async (job: JobSpec, startedAt: number, error: NodeError, attempt: number | undefined): Promise<void> => {
    const recordId = `${FAILED_RECORD_PREFIX}${job.id}`;
    const failedAt = Date.now();
    const record: JobFailedArgs = { queue: args.queue, shard: args.shard, job: { ...job, retry: true }, error, startedAt, failedAt, ...(attempt !== undefined ? { attempt } : {}) };
    const attributes = recordAttributes(args.queue);
    try {
      await startChild(JOB_WORKFLOW_TYPES.jobFailed, {
        workflowId: recordId,
        args: [record],
        // The record outlives the shard's runs; a record of an earlier failure of the same job is replaced.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        memo: { weftDag: `jobs.${args.queue}` },
        ...(attributes ? { typedSearchAttributes: attributes } : {}),
        staticSummary: `failed job ${job.id}`,
      });
    } catch {
      // A record with this id is still open (a failure moments ago): that record already shows the job failed.
    }
    book.failed(job.id, failedAt, error, attempt, recordId);
  };

  /** The one-job lane: one local activity with the job's policy; `before` attempts already ran in a batch. */
  const runSingle = async (job: JobSpec, startedAt: number, call = job.call, before = 0): Promise<void> => {
    waveMs = Infinity;
    const acts = proxyLocalActivities<Record<string, AnyActivity>>(localActivityOptions(call, job.id));
    let result: unknown;
    try {
      result = await acts[call.activity]!(job.input, { weftIdempotencyKey: jobIdempotencyKey(job.id) });
    } catch (err) {
      const { error, attempt } = describeFailure(err);
      await recordFailure(job, startedAt, error, attempt === undefined ? undefined : attempt + before);
      return;
    }
    const { output, attempt } = unwrapResult(result);
    book.succeeded(job.id, Date.now(), output, attempt === undefined ? undefined : attempt + before);
  };

  /** Set when a worker has no batch activity (older worker code): this run of the shard stops batching. */
  let batchUnavailable = false;

  const settle = async (job: JobSpec, startedAt: number, outcome: JobOutcome | undefined): Promise<void> => {
    // A missing outcome cannot come from the batch activity; the one-job lane then decides, as after a failed batch.
    if (!outcome) return runSingle(job, startedAt);
    if (outcome.ok) return book.succeeded(job.id, Date.now(), outcome.output, 1);
    const next = retryAfterBatch(job.call, outcome);
    if (!next.retry) return recordFailure(job, startedAt, outcome.error, 1);
    // Retried on its own: a durable timer for the first backoff, then the rest of its policy in one local activity.
    await sleep(next.delayMs);
    await runSingle(job, startedAt, next.call, 1);
  };

  /** The batch lane: up to batchSize jobs in one local activity that answers one outcome per job. */
  const runBatch = async (jobs: JobSpec[], startedAt: number): Promise<void> => {
    const acts = proxyLocalActivities<Record<string, (input: JobBatchInput) => Promise<unknown>>>(batchActivityOptions(jobs, jobs.length));
    let outcomes: JobOutcome[];
    try {
      outcomes = unwrapResult(await acts[JOB_BATCH_ACTIVITY]!({ jobs: jobs.map(batchItem), concurrency: jobs.length })).output as JobOutcome[];
    } catch (err) {
      // The batch failed as a whole (no batch activity on this worker, its own timeout, a worker shutting
      // down): its jobs run on the one-job lane, and their keys make any effect that already happened harmless.
      if (describeFailure(err).error.type === 'NotFoundError') batchUnavailable = true;
      await Promise.all(jobs.map((job) => runSingle(job, startedAt)));
      return;
    }
    for (const o of outcomes) waveMs = Math.max(waveMs, o.ms ?? Infinity);
    await Promise.all(jobs.map((job, i) => settle(job, startedAt, outcomes[i])));
  };

  const batchSize = (): number => {
    const size = options.batchSize ?? SHARD_DEFAULTS.batchSize;
    // patched() last: a shard that does not batch records no marker.
    return size > 1 && !batchUnavailable && patched(BATCH_LANE_PATCH) ? size : 1;
  };

  const concurrency = (): number => options.concurrency ?? SHARD_DEFAULTS.concurrency;
  const historyIsLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (options.continueAsNewAfterEvents ?? SHARD_DEFAULTS.continueAsNewAfterEvents);
  };
  // Past the carry budget a long history keeps draining: a hand-over input over Temporal's payload limit would fail for good.
  const carryFits = (): boolean => book.pendingChars <= SHARD_DEFAULTS.maxCarriedPendingChars;
  const mayStart = (): boolean => book.pendingCount > 0 && book.runningCount < concurrency() && (!historyIsLong() || !carryFits());
  const mayHandOver = (): boolean => book.runningCount === 0 && historyIsLong() && carryFits();

  // Jobs started in the current workflow task (waves chained in one task, "Waves" in docs/jobs.md). A new
  // task has a longer history, which is how the shard tells tasks apart without changing where it waits.
  let startedThisTask = 0;
  let taskHistoryLength = -1;
  const jobsPerTask = (): number => options.jobsPerTask ?? SHARD_DEFAULTS.jobsPerTask;
  /**
   * Whether this run chains waves (`weft-jobs-waves`). Before it every wave ended with a 1 ms
   * timer to close the task; its firing takes a new task, which on the dev server came ~0.9 s
   * later: most of a wave's time. Read at the start of a wave that begins a task (nothing
   * running, no local activity resolving): read after a local activity resolved, the patch's
   * marker lands in the next task, and replay, which looks for it in the current one, disagrees.
   */
  let chainWaves: boolean | undefined;
  /**
   * The slowest batch-lane job of the current wave, in ms as its batch reported it, and the waves of
   * this task before it; a wave with a job on the one-job lane (untimed: retries, failed batches,
   * jobs that do not batch) counts as slow. Slow waves keep a task each, as before: chaining them
   * would keep the task, and so status queries and new jobs, waiting for several slow jobs in a row.
   */
  let waveMs = 0;
  let taskMs = 0;
  const mayChainWave = (): boolean => chainWaves === true && taskMs < SHARD_DEFAULTS.chainWavesWithinMs && startedThisTask + Math.min(book.pendingCount, concurrency()) <= jobsPerTask();

  for (;;) {
    await condition(() => mayStart() || mayHandOver());
    if (mayHandOver()) break;
    if (workflowInfo().historyLength !== taskHistoryLength) {
      taskHistoryLength = workflowInfo().historyLength;
      startedThisTask = 0;
      taskMs = 0;
    }
    waveMs = 0;
    const now = Date.now();
    book.expire(now, options);
    // One wave: up to `concurrency` jobs. The SDK keeps a workflow task open while local
    // activities run, and signals (new jobs) and queries (status) wait for it to close.
    const size = batchSize();
    if (chainWaves === undefined && jobsPerTask() > concurrency()) chainWaves = patched(WAVES_PATCH);
    let batch: JobSpec[] = [];
    while (mayStart()) {
      const job = book.start(now)!;
      startedThisTask++;
      if (size === 1 || !batchEligible(job)) {
        void runSingle(job, now);
        continue;
      }
      batch.push(job);
      if (batch.length === size) {
        void runBatch(batch, now);
        batch = [];
      }
    }
    if (batch.length) void runBatch(batch, now);
    await condition(() => book.runningCount === 0);
    taskMs += waveMs;
    if (book.pendingCount === 0 || mayChainWave()) continue;
    // Close the workflow task before the next wave, so its results are recorded (a crash
    // re-runs one task's jobs at most, up to jobsPerTask) and waiting signals and queries are handled.
    await sleep(1);
  }
  book.expire(Date.now(), options);
  // The client's workflow task timeout is kept explicitly: it bounds how long signals and queries wait.
  await makeContinueAsNewFunc<typeof jobShard>({ workflowTaskTimeout: workflowInfo().taskTimeoutMs })({ queue: args.queue, shard: args.shard, options, carried: book.carry() });
}
