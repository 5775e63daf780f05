/**
 * The job queue's messages and shared shapes: what the client sends a shard,
 * what a shard answers, and the names both sides use. Deterministic code only
 * (the shard workflow imports it); no Node built-ins.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CompiledActivityCall } from '../../dag/types';
import type { NodeError } from '../messages';
import { WORKFLOW_TYPES } from '../../temporal/search-attributes';

/** Workflow types of the job queue, registered with every worker through src/workflows/index.ts. */
export const JOB_WORKFLOW_TYPES = {
  /** One long-lived shard of a queue: `weft-jobs:<queue>:<shard>`. */
  jobShard: 'jobShard',
  /** An already-failed record of a job that failed for good: `weft-job-failed:<job id>`; runs list shows it. */
  jobFailed: WORKFLOW_TYPES.jobFailed,
} as const;

export const SHARD_ID_PREFIX = 'weft-jobs:';
export const FAILED_RECORD_PREFIX = 'weft-job-failed:';

/** The idempotency key a job's activity sees: stable across attempts, lanes, worker crashes and `weft jobs retry`. */
export function jobIdempotencyKey(jobId: string): string {
  return `${SHARD_ID_PREFIX}${jobId}`;
}

/** The batch lane's activity (src/activities/builtins/job-batch.ts): runs up to `batchSize` jobs in one local activity. */
export const JOB_BATCH_ACTIVITY = 'weft.jobs.batch';

/** One job in a batch: what the batch activity needs to run it as the one-job lane would. */
export interface JobBatchItem {
  id: string;
  activity: string;
  input: unknown;
  /** The job's start-to-close timeout: the batch gives up on this job (and aborts its signal) past it. */
  timeoutMs: number;
}

export interface JobBatchInput {
  jobs: JobBatchItem[];
  /** Jobs of this batch running at once in the activity. */
  concurrency: number;
}

/**
 * What happened to one job of a batch; the batch activity itself succeeds whatever its jobs do.
 * `ms` is how long the job ran (absent in batches recorded before it): the shard chains waves in
 * one task only while they are quick, and reads it from the marker, so replay decides the same.
 */
export type JobOutcome = { ms?: number } & (
  | { ok: true; output: unknown }
  | {
      ok: false;
      error: NodeError;
      /** An ApplicationFailure marked non-retryable: no retry, whatever the policy says. */
      nonRetryable?: true;
      /** The failure asked for this delay before the next attempt (Retry-After). */
      retryDelayMs?: number;
    }
);

/** One job as the shard receives it: the id and a compiled activity call, exactly as a DAG node carries it. */
export interface JobSpec {
  /** `<queue>/<key>`: the job's id, its idempotency key, and (hashed) its shard. */
  id: string;
  call: CompiledActivityCall;
  /** Literal JSON passed to the activity as its input (no templates: a job has no upstream). */
  input: unknown;
  /** Milliseconds since the epoch when the client accepted it. */
  submittedAt: number;
  /** A re-run of a job that failed: accepted even though the shard remembers the id as failed. */
  retry?: boolean;
}

/** Queue settings; every batch carries them, so a shard follows the latest client's settings. */
export interface ShardOptions {
  /** Jobs running at once in one shard. @defaultValue 100 */
  concurrency?: number;
  /** How long a succeeded job's id (and output) is remembered, in ms. @defaultValue 1h */
  retentionMs?: number;
  /** Most finished jobs a shard remembers; the oldest are forgotten first. @defaultValue 10,000 */
  maxRemembered?: number;
  /** Continue as new after this many history events (or when Temporal suggests it). @defaultValue 10,000 */
  continueAsNewAfterEvents?: number;
  /** Jobs per batch activity in the batch lane; 1 turns the lane off (one local activity per job). @defaultValue 25 */
  batchSize?: number;
  /**
   * Most jobs one workflow task starts: waves follow each other in the same task up to this
   * many, then the task closes (docs/jobs.md, "Waves"). At most `concurrency`, one wave per task. @defaultValue 500
   */
  jobsPerTask?: number;
}

export const SHARD_DEFAULTS = {
  concurrency: 100,
  retentionMs: 3_600_000,
  maxRemembered: 10_000,
  continueAsNewAfterEvents: 10_000,
  batchSize: 25,
  jobsPerTask: 500,
  /** Waves follow each other in one task only while their jobs have taken less than this in all (slowest job per wave). */
  chainWavesWithinMs: 1_000,
  /** Largest accepted batchSize: a batch's result (every job's output) is one marker payload. */
  maxBatchSize: 100,
  /** A batch activity's start-to-close is its longest job's timeout plus this, so only the jobs' own timeouts cut a job off. */
  batchGraceMs: 10_000,
  /** Outputs larger than this (JSON characters) are not kept; the status says so. */
  maxKeptOutputChars: 16_384,
  /** Total JSON characters of kept outputs per shard, so the continue-as-new input stays small. */
  maxKeptOutputTotalChars: 262_144,
  /** Pending jobs carried into the next run stay under this (JSON characters); past it the shard keeps draining first. */
  maxCarriedPendingChars: 1_000_000,
} as const;

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed';

/** What `getJob` answers. */
export interface JobView {
  id: string;
  queue: string;
  shard: number;
  state: JobState;
  activity: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Attempts the last execution took; known once it finished (a local activity's attempts are not visible while it runs). */
  attempt?: number;
  output?: unknown;
  /** Set when a succeeded job's output was too large to keep. */
  outputDropped?: true;
  error?: NodeError;
  /** Workflow id of the failed record (`weft runs list --status failed` lists it). */
  failedRecord?: string;
}

/** A finished job the shard still remembers. */
export interface FinishedJob {
  id: string;
  state: 'succeeded' | 'failed';
  activity: string;
  submittedAt: number;
  startedAt: number;
  finishedAt: number;
  attempt?: number;
  output?: unknown;
  outputDropped?: true;
  error?: NodeError;
  failedRecord?: string;
}

export interface ShardCounts {
  accepted: number;
  duplicates: number;
  succeeded: number;
  failed: number;
}

/** State carried across continue-as-new. */
export interface ShardCarry {
  pending: JobSpec[];
  finished: FinishedJob[];
  counts: ShardCounts;
  generation: number;
}

export interface JobShardArgs {
  queue: string;
  shard: number;
  options?: ShardOptions;
  carried?: ShardCarry;
}

export interface ShardSummary {
  queue: string;
  shard: number;
  pending: number;
  running: number;
  remembered: number;
  counts: ShardCounts;
  generation: number;
}

export interface JobBatch {
  jobs: JobSpec[];
  options?: ShardOptions;
}

/** Arguments of the failed record workflow; `weft jobs retry` reads them back. */
export interface JobFailedArgs {
  queue: string;
  shard: number;
  job: JobSpec;
  error: NodeError;
  attempt?: number;
  startedAt: number;
  failedAt: number;
}

export const submitJobsSignal = defineSignal<[JobBatch]>('weft.jobs.submit');
export const jobsQuery = defineQuery<Array<JobView | null>, [string[]]>('weft.jobs.get');
export const shardSummaryQuery = defineQuery<ShardSummary>('weft.jobs.summary');
export const listJobsQuery = defineQuery<JobView[], [{ state?: JobState; limit?: number }?]>('weft.jobs.list');
