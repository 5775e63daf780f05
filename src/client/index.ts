/**
 * The client library: what applications import into their own handlers.
 *
 *   const weft = await createWeftClient();            // config from env / weft.config.*
 *   const { id } = await weft.startRun({ dag: 'image-pipeline', input, id: idempotencyKey });
 *   const run = await weft.getRun(id);
 */
import { loadConfig, type LoadConfigOptions } from '../config/load';
import type { WeftConfig } from '../config/schema';
import { connectClient } from './connection';
import { codecOptionsFromConfig } from '../payloads/config';
import { weftDataConverter } from '../payloads/data-converter';
import { WeftClient, type WeftClientOptions } from './weft-client';

export * from './weft-client';
export { DagCatalog, DagNotFoundError } from './catalog';
export { RunInputError, validateRunInput, type InputIssue } from './input-schema';
export { connectClient, TemporalUnavailableError } from './connection';
export { JobsClient, JobNotFoundError, JobStateError, JobSubmitUncertainError, JobValidationError, shardOf, shardWorkflowId, type EnqueuedJobRef, type JobDefinition, type JobIssue, type JobsOptions, type JobState, type JobView, type ShardSummary } from './jobs';
export { QueueNotFoundError, queueWorkflowId, type EnqueuedJob, type EnqueueOptions } from './queues';
export { loadDefinitionFile, listDefinitions, type DefinitionFileReport } from './definitions';
export * from './schedules';

/** Connects to Temporal as configured and returns a WeftClient for the configured task queue and DAGs folder. */
export async function createWeftClient(opts: { config?: WeftConfig; load?: LoadConfigOptions; client?: WeftClientOptions } = {}): Promise<WeftClient> {
  const config = opts.config ?? loadConfig(opts.load);
  // The same codec as the workers, so results and inputs read back decoded.
  const temporal = await connectClient(config.temporal, { dataConverter: weftDataConverter(codecOptionsFromConfig(config.payloads)) });
  return new WeftClient(temporal, { taskQueue: config.taskQueue, dagsDir: config.dagsDir, ...opts.client });
}
