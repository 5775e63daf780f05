/**
 * The client library: what applications import into their own handlers.
 *
 *   const weft = await createWeftClient();            // config from env / weft.config.*
 *   const { id } = await weft.startRun({ dag: 'image-pipeline', input, id: idempotencyKey });
 *   const run = await weft.getRun(id);
 */
export * from './weft-client';
export { createWeftClient } from './create';
export { connectTemporal } from './connect';
export { DagCatalog, DagNotFoundError } from './catalog';
export { RunInputError, validateRunInput, type InputIssue } from './input-schema';
export { connectClient, TemporalUnavailableError } from './connection';
export { JobsClient, JobNotFoundError, JobStateError, JobSubmitUncertainError, JobValidationError, shardOf, shardWorkflowId, type EnqueuedJobRef, type JobDefinition, type JobIssue, type JobsOptions, type JobState, type JobView, type ShardSummary } from './jobs';
export { QueueNotFoundError, queueWorkflowId, type EnqueuedJob, type EnqueueOptions } from './queues';
export { loadDefinitionFile, listDefinitions, type DefinitionFileReport } from './definitions';
export * from './schedules';
