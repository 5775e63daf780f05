/**
 * Workflow entry point: everything exported here is registered with the
 * worker. Deterministic code only; lint bans Node built-ins in this folder.
 */
export { dagRun, type DagRunArgs } from './dag-run';
export { dagPartition } from './partition/child';
export { fifoQueue, type QueueArgs, type QueueJob, type QueueOptions, type QueueStatus } from './queue';
export { jobShard, jobFailed } from './jobs';
