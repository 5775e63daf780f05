/**
 * Helpers usable inside any activity, Weft's or a user's: the node's
 * idempotency key, progress reports, and the `ctx` object handed to handlers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Context, type Info } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';
import { NotInActivityError } from './errors';
import { PARTITION_ID_SUFFIX, PARTITION_WORKFLOW_TYPE } from '../workflows/partition/messages';

export interface ActivityContext {
  /** `<workflowId>/<activityId>`: stable across retries, resets and `weft runs retry`; differs between runs. */
  readonly idempotencyKey: string;
  /** Reports progress; the run status shows it. See {@link progress}. */
  readonly progress: (done: number, total: number, note?: string) => void;
  /** Records a heartbeat with these details (Temporal throttles them); progress() is the usual way. */
  readonly heartbeat: (details?: unknown) => void;
  /** The activity logger: structured, tagged with the workflow and activity ids. */
  readonly log: Logger;
  /** Aborted when the activity is cancelled (or times out). Pass it to fetch, streams, child processes. */
  readonly signal: AbortSignal;
  readonly info: Info;
}

/** Heartbeat details that carry progress; the client reads them to show it. */
export interface ProgressDetails {
  progress: { done: number; total: number; note?: string };
}

function current(helper: string): Context {
  try {
    return Context.current();
  } catch {
    throw new NotInActivityError(helper);
  }
}

/** The key of an activity execution, from its info. Exported for tests and the interpreter's docs. */
export function idempotencyKeyOf(info: Pick<Info, 'activityId' | 'workflowExecution'> & { workflowType?: string }): string {
  // Activities started outside a workflow have no workflow id; their activity id is unique on its own.
  if (!info.workflowExecution) return info.activityId;
  let runId = info.workflowExecution.workflowId;
  // A partition child of a large run (src/workflows/partition/) keys its nodes by the run's id, as one workflow would.
  if (info.workflowType === PARTITION_WORKFLOW_TYPE) {
    const at = runId.lastIndexOf(PARTITION_ID_SUFFIX);
    if (at > 0) runId = runId.slice(0, at);
  }
  return `${runId}/${info.activityId}`;
}

/**
 * What a caller may set for one activity call, over what Temporal's context says.
 * Jobs (src/workflows/jobs) need it: a local activity's id is a sequence number
 * that restarts with every run of its shard, so a job's key travels with the call;
 * and a batch of jobs (builtins/job-batch.ts) runs many jobs in one activity, each
 * with its own key and its own abort signal (its own timeout).
 */
export interface CallOverrides {
  /** The job's key, used as the idempotency key instead of `<workflowId>/<activityId>`. */
  idempotencyKey?: string;
  /** Aborted when this call (not the whole activity) is cancelled or times out. */
  signal?: AbortSignal;
}

const overrides = new AsyncLocalStorage<CallOverrides>();

/** Runs `fn` with these overrides for the current activity call (nested calls see the innermost). */
export function withCallOverrides<T>(o: CallOverrides, fn: () => T): T {
  return overrides.run({ ...overrides.getStore(), ...o }, fn);
}

/** Runs `fn` with `key` as the idempotency key of the current activity (when given). */
export function withIdempotencyKey<T>(key: string | undefined, fn: () => T): T {
  return key === undefined ? fn() : withCallOverrides({ idempotencyKey: key }, fn);
}

/**
 * The idempotency key of the running node: `<workflowId>/<nodeId>[/<mapIndex>]`
 * (`/compensate` for a compensation). Send it to APIs that deduplicate, or
 * use it with `once()`.
 */
export function idempotencyKey(): string {
  return overrides.getStore()?.idempotencyKey ?? idempotencyKeyOf(current('idempotencyKey').info);
}

/**
 * Heartbeats `{ progress: { done, total, note } }`. Temporal throttles
 * heartbeats, so calling this often is cheap. Heartbeating is also how an
 * activity learns it was cancelled.
 */
export function progress(done: number, total: number, note?: string): void {
  for (const [name, value] of [['done', done], ['total', total]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`progress(): expected \`${name}\` to be a finite number >= 0, got ${String(value)}`);
  }
  const details: ProgressDetails = { progress: note === undefined ? { done, total } : { done, total, note } };
  current('progress').heartbeat(details);
}

/** Builds the `ctx` passed to handlers registered with `defineActivity`. */
export function activityContext(): ActivityContext {
  const context = current('activityContext');
  const o = overrides.getStore();
  return {
    idempotencyKey: o?.idempotencyKey ?? idempotencyKeyOf(context.info),
    progress,
    heartbeat: context.heartbeat,
    log: context.log,
    signal: o?.signal ?? context.cancellationSignal,
    info: context.info,
  };
}

/** The cancellation signal when called inside an activity, else undefined. */
export function currentCancellationSignal(): AbortSignal | undefined {
  try {
    return overrides.getStore()?.signal ?? Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
