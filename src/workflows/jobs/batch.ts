/**
 * The batch lane's rules, pure and deterministic (docs/jobs.md, "Batch lane"):
 * which jobs may share a batch activity, the batch activity's options, and
 * what a failed job's outcome means under the job's own retry policy. The
 * shard (shard.ts) runs batches and falls back to the one-job lane.
 */
import type { LocalActivityOptions } from '@temporalio/workflow';
import type { CompiledActivityCall } from '../../dag/types';
import { SHARD_DEFAULTS, type JobBatchItem, type JobOutcome, type JobSpec } from './types';

/** Patch id of the batch lane: shard histories recorded before it run every job as its own local activity. */
export const BATCH_LANE_PATCH = 'weft-jobs-batch-lane';

/**
 * A job may run in a batch unless it has a schedule-to-close or schedule-to-start
 * timeout: those clocks span all attempts, which the one-job lane's local
 * activity keeps exactly; a batch would have to re-derive them across lanes.
 */
export function batchEligible(job: JobSpec): boolean {
  return job.call.timeouts.scheduleToCloseMs === undefined && job.call.timeouts.scheduleToStartMs === undefined;
}

export function batchItem(job: JobSpec): JobBatchItem {
  return { id: job.id, activity: job.call.activity, input: job.input, timeoutMs: job.call.timeouts.startToCloseMs };
}

/**
 * One attempt for the whole batch: a job's retries are the shard's business
 * (retryAfterBatch), and a batch that fails as a whole sends its jobs to the
 * one-job lane. Its start-to-close covers its longest job running after a full
 * round of the others, so only a job's own timeout (enforced in the activity)
 * cuts that job off, never the batch's.
 */
export function batchActivityOptions(jobs: readonly JobSpec[], concurrency: number): LocalActivityOptions {
  const longest = Math.max(...jobs.map((j) => j.call.timeouts.startToCloseMs));
  const rounds = Math.ceil(jobs.length / Math.max(1, concurrency));
  return {
    summary: `${jobs.length} jobs`,
    startToCloseTimeout: rounds * longest + SHARD_DEFAULTS.batchGraceMs,
    retry: { maximumAttempts: 1 },
  };
}

/** What a job that failed its first attempt in a batch does next. */
export type AfterBatchFailure = { retry: false } | { retry: true; delayMs: number; call: CompiledActivityCall };

/**
 * Applies the job's retry policy to its failed first attempt, as Temporal
 * would: no retry for a non-retryable failure, a type listed in
 * `nonRetryableErrorTypes`, or a policy of one attempt. Otherwise the job
 * waits the first backoff (or the failure's Retry-After) and runs its
 * remaining attempts on the one-job lane with the rest of the policy: one
 * attempt fewer, and the backoff starting where attempt 2's would.
 */
export function retryAfterBatch(call: CompiledActivityCall, outcome: Extract<JobOutcome, { ok: false }>): AfterBatchFailure {
  const r = call.retry;
  if (outcome.nonRetryable || r.maximumAttempts === 1) return { retry: false };
  if (outcome.error.type !== undefined && r.nonRetryableErrorTypes.includes(outcome.error.type)) return { retry: false };
  const delayMs = outcome.retryDelayMs ?? Math.min(r.initialIntervalMs, r.maximumIntervalMs);
  return {
    retry: true,
    delayMs,
    call: {
      ...call,
      retry: {
        ...r,
        // 0 means unlimited and stays so.
        maximumAttempts: r.maximumAttempts > 0 ? r.maximumAttempts - 1 : 0,
        initialIntervalMs: Math.min(r.initialIntervalMs * r.backoffCoefficient, r.maximumIntervalMs),
      },
    },
  };
}
