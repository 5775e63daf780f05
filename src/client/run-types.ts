/**
 * The shapes the client library takes and returns for runs, and the status
 * filter names that the CLI's --status and the API's ?status= both accept.
 */
import type { WorkflowExecutionDescription, WorkflowExecutionInfo } from '@temporalio/client';
import type { CompiledDag } from '../dag';
import type { RunStatus } from '../workflows/messages';

/** Temporal's visibility names of execution statuses, by the filter names Weft accepts (CLI and API alike). */
export const RUN_STATUS_FILTERS = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  'continued-as-new': 'ContinuedAsNew',
} as const;

export type RunStatusFilterName = keyof typeof RUN_STATUS_FILTERS;
export type ExecutionStatusFilter = (typeof RUN_STATUS_FILTERS)[RunStatusFilterName];
export const RUN_STATUS_FILTER_NAMES = Object.keys(RUN_STATUS_FILTERS) as RunStatusFilterName[];

/**
 * The execution status for a filter name, matched without regard to case,
 * with `_` for `-` and the British `cancelled`; undefined for anything else.
 */
export function parseRunStatusFilter(value: string): ExecutionStatusFilter | undefined {
  const key = value.toLowerCase().replace(/_/g, '-').replace(/^cancelled$/, 'canceled');
  return Object.hasOwn(RUN_STATUS_FILTERS, key) ? RUN_STATUS_FILTERS[key as RunStatusFilterName] : undefined;
}

export interface StartRunOptions {
  /** A DAG name (from the DAGs folder), a compiled DAG, or a definition object (validated here). */
  dag: string | CompiledDag | Record<string, unknown>;
  input?: unknown;
  /** Idempotency key of the run; it becomes the workflow id, so the same key gives the same run. */
  id?: string;
  taskQueue?: string;
  /** Start after this long (duration such as 10m, or ms). */
  delay?: string | number;
  /** Start at this time (ISO 8601). */
  at?: string;
  /** 1 (highest) to 5. @defaultValue 3, Temporal's default */
  priority?: number;
}

export interface StartedRun {
  id: string;
  runId: string;
  /** True when a run with this id already existed and was returned instead. */
  existing: boolean;
}

export type ExecutionStatusName = WorkflowExecutionDescription['status']['name'];

export interface RunView {
  id: string;
  runId: string;
  dag: string;
  /** Temporal's status of the execution. */
  execution: ExecutionStatusName;
  startedAt: string;
  closedAt?: string;
  taskQueue: string;
  /** The interpreter's view; absent when the status query could not be answered. */
  status?: RunStatus;
  result?: unknown;
  failure?: { message: string; type?: string };
}

export interface ListRunsOptions {
  dag?: string;
  /** Temporal execution status, e.g. Failed, Running, Completed; see parseRunStatusFilter for the names users type. */
  status?: ExecutionStatusFilter;
  since?: Date;
  until?: Date;
  /** @defaultValue 50 */
  limit?: number;
}

export interface RunSummary {
  id: string;
  runId: string;
  dag?: string;
  execution: ExecutionStatusName;
  startedAt: string;
  closedAt?: string;
}

/** The DAG name a run was started with, from its memo (set by startRun); undefined for runs started elsewhere. */
export function memoDag(memo: Record<string, unknown> | undefined): string | undefined {
  const v = memo?.weftDag;
  return typeof v === 'string' ? v : undefined;
}

/** One visibility entry as a run summary: the one mapping WeftClient.listRuns and the console's run list share. */
export function runSummaryOf(w: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'memo' | 'status' | 'startTime' | 'closeTime'>): RunSummary {
  const dag = memoDag(w.memo);
  return {
    id: w.workflowId,
    runId: w.runId,
    ...(dag !== undefined ? { dag } : {}),
    execution: w.status.name,
    startedAt: w.startTime.toISOString(),
    ...(w.closeTime ? { closedAt: w.closeTime.toISOString() } : {}),
  };
}
