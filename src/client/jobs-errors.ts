/**
 * The job queue client's errors (src/client/jobs.ts), each with the context a
 * caller needs to act on it.
 */
import { ERROR_KINDS } from '../errors/kinds';
import { WeftError } from '../errors/weft-error';
import type { JobState } from '../workflows/jobs/types';

export class JobNotFoundError extends WeftError {
  override readonly name = 'JobNotFoundError';
  readonly kind = ERROR_KINDS.NOT_FOUND;
  constructor(readonly id: string) {
    super(`no job "${id}" (its shard does not remember it and no failed record exists; succeeded jobs are forgotten after the retention window)`);
  }
}

export class JobStateError extends WeftError {
  override readonly name = 'JobStateError';
  readonly kind = ERROR_KINDS.CONFLICT;
  constructor(
    readonly id: string,
    readonly state: JobState,
  ) {
    super(`job "${id}" is ${state}; only a failed job can be retried`);
  }
}

/** Temporal did not confirm the signal carrying the job; it may be queued. Enqueue again with the same key: it is safe. */
export class JobSubmitUncertainError extends WeftError {
  override readonly name = 'JobSubmitUncertainError';
  readonly mayExist = true;
  constructor(
    readonly id: string,
    readonly kind: 'unavailable' | 'timed_out',
    override readonly cause: unknown,
  ) {
    super(`the submission of job "${id}" was not confirmed (${cause instanceof Error ? cause.message : String(cause)}); it may be queued. Enqueue again with the same key: it is safe`);
  }
}

/**
 * The queue's shards were started with another shard count than this client's.
 * A job id maps to its shard through the count, so a client with another count
 * would send a key to a shard that has never seen it (a second run of a job
 * whose key is still remembered elsewhere) and look for jobs where they are not.
 */
export class JobShardCountError extends WeftError {
  override readonly name = 'JobShardCountError';
  readonly kind = ERROR_KINDS.CONFLICT;
  constructor(
    readonly queue: string,
    readonly queueShards: number,
    readonly clientShards: number,
  ) {
    super(
      `job queue "${queue}" runs on ${queueShards} shards, but this client is configured for ${clientShards} (jobs.shards, WEFT_JOBS_SHARDS or --shards). ` +
        `Its keys map to shards through that count, so set it back to ${queueShards} for this queue, or use a new queue name for the new count (docs/jobs.md, "Shards")`,
    );
  }
}
