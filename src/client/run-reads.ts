/**
 * Listing, describing and cancelling runs, on a Temporal Client alone. These
 * need none of what starting a run needs (DAG validation and compilation,
 * JSONata, Ajv, the DAGs folder, queues, schedules), so `weft runs list` and
 * `weft runs cancel` import this module instead of WeftClient, and start in
 * a fraction of the time. WeftClient's methods of the same names call these.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../temporal/search-attributes';
import { RunNotFoundError, RunOptionError, RunStateError } from './run-errors';
import { runSummaryOf, type ListRunsOptions, type RunSummary } from './run-types';

export { memoDag } from './run-types';

/** Temporal's execution ids (`runId`) are UUIDs. */
const RUN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Describes the run `id` (its latest execution, or `runId`); RunNotFoundError when there is none. */
export async function describeRun(temporal: Client, id: string, runId?: string): Promise<WorkflowExecutionDescription> {
  // Temporal answers INVALID_ARGUMENT for a run id that is not a UUID; say which value is wrong instead.
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) throw new RunOptionError('runId', runId, 'the UUID of one execution of the run');
  try {
    return await temporal.workflow.getHandle(id, runId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new RunNotFoundError(id);
    throw err;
  }
}

/** Lists runs through visibility, newest first. */
export async function listRuns(temporal: Client, o: ListRunsOptions = {}): Promise<RunSummary[]> {
  // Failed jobs' records are listed with the runs, so a job that failed for good is never hidden.
  const clauses = [`WorkflowType IN (${quote(WORKFLOW_TYPES.dagRun)}, ${quote(WORKFLOW_TYPES.jobFailed)})`];
  if (o.dag) clauses.push(`WeftDag = ${quote(o.dag)}`);
  if (o.status) clauses.push(`ExecutionStatus = ${quote(o.status)}`);
  if (o.since) clauses.push(`StartTime >= ${quote(o.since.toISOString())}`);
  if (o.until) clauses.push(`StartTime <= ${quote(o.until.toISOString())}`);
  const out: RunSummary[] = [];
  const limit = o.limit ?? 50;
  for await (const w of temporal.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(limit, 1000) })) {
    out.push(runSummaryOf(w));
    if (out.length >= limit) break;
  }
  return out;
}

/** Requests cancellation: activities in flight are cancelled, compensations run if configured. */
export async function cancelRun(temporal: Client, id: string): Promise<void> {
  const desc = await describeRun(temporal, id);
  if (desc.status.name !== 'RUNNING') throw new RunStateError(id, `run "${id}" is ${desc.status.name.toLowerCase()}, not running`);
  await temporal.workflow.getHandle(id).cancel();
}
