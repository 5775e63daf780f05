/**
 * Reading, listing and cancelling runs, on a Temporal Client alone. These
 * need none of what starting a run needs (DAG validation and compilation,
 * JSONata, Ajv, the DAGs folder, queues, schedules), so `weft runs status`,
 * `list` and `cancel` import this module instead of WeftClient, and start in
 * a fraction of the time. WeftClient's methods of the same names call these.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../temporal/search-attributes';
import { statusQuery, type RunStatus } from '../workflows/messages';
import { mergePartitionStatus, runningPartitions } from '../workflows/partition/status';
import type { ClosedRunCache } from './closed-runs';
import { enrichWithPendingActivities } from './progress';
import { RunNotFoundError, RunOptionError, RunStateError } from './run-errors';
import { memoDag, runSummaryOf, type ListRunsOptions, type RunSummary, type RunView } from './run-types';

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

export interface GetRunOptions {
  /** One execution of the run; default the latest. */
  runId?: string;
  /** Include each node's output in the status. @defaultValue false */
  outputs?: boolean;
  /** Views of closed executions already read (a long-lived process keeps one). */
  cache?: ClosedRunCache;
}

/** A run's execution, node states (a partitioned run's running partitions merged in), progress, and result or failure. */
export async function getRun(temporal: Client, id: string, opts: GetRunOptions = {}): Promise<RunView> {
  const desc = await describeRun(temporal, id, opts.runId);
  const outputs = opts.outputs ?? false;
  const cached = desc.closeTime ? opts.cache?.get(id, desc.runId, outputs) : undefined;
  if (cached) return cached;
  const handle = temporal.workflow.getHandle(id, desc.runId);
  let status: RunStatus | undefined;
  try {
    status = await handle.query(statusQuery, { outputs });
  } catch {
    status = undefined;
  }
  // A partitioned run: the running partition's nodes are known to its child workflow only.
  for (const p of status ? runningPartitions(status) : []) {
    const child = await temporal.workflow.getHandle(p.workflowId).query(statusQuery, { outputs }).catch(() => undefined);
    if (child) mergePartitionStatus(status!, p, child);
  }
  if (status) await enrichWithPendingActivities(status, desc, temporal.options.loadedDataConverter);
  const view: RunView = {
    id,
    runId: desc.runId,
    dag: status?.dag ?? memoDag(desc.memo) ?? '',
    execution: desc.status.name,
    startedAt: desc.startTime.toISOString(),
    ...(desc.closeTime ? { closedAt: desc.closeTime.toISOString() } : {}),
    taskQueue: desc.taskQueue,
    ...(status ? { status } : {}),
  };
  if (desc.status.name === 'COMPLETED') view.result = await handle.result();
  if (desc.status.name === 'FAILED' || desc.status.name === 'TERMINATED' || desc.status.name === 'TIMED_OUT') {
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e as { cause?: { message?: string; type?: string }; message?: string },
    );
    if (err) view.failure = { message: err.cause?.message ?? err.message ?? 'failed', ...(err.cause?.type ? { type: err.cause.type } : {}) };
  }
  opts.cache?.set(id, outputs, view);
  return view;
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
