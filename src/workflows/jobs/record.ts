/**
 * `jobFailed`: the durable, searchable trace of a job that failed for good.
 * The shard starts one per failure, with WeftStatus=failed and WeftDag=
 * `jobs.<queue>`, and it fails at once with the job's error, so the job shows
 * up where failed runs show up (`weft runs list --status failed`, the
 * console, Temporal's UI) for as long as Temporal keeps closed workflows.
 * `weft jobs retry` reads its arguments back to re-enqueue the job.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { JobFailedArgs } from './types';

export const JOB_FAILED_ERROR_TYPE = 'WeftJobFailed';

export function jobFailed(args: JobFailedArgs): Promise<never> {
  // An ApplicationFailure fails the execution itself (a plain Error would only fail the workflow task and retry).
  return Promise.reject(ApplicationFailure.create({
    message: `job ${args.job.id} (${args.job.call.activity}) failed: ${args.error.message}`,
    type: args.error.type ?? JOB_FAILED_ERROR_TYPE,
    nonRetryable: true,
    details: [{ job: args.job.id, queue: args.queue, shard: args.shard, ...(args.attempt !== undefined ? { attempt: args.attempt } : {}) }],
  }));
}
