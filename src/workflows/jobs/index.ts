/** The job queue's workflows and messages: sharded long-lived queues whose jobs run as local activities. */
export { jobShard, jobIdempotencyKey, localActivityOptions, type JobCallMeta } from './shard';
export { jobFailed, JOB_FAILED_ERROR_TYPE } from './record';
export * from './types';
