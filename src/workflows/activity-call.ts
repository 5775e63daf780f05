/**
 * Calls one registered activity for a node with the node's own retry policy,
 * timeouts, task queue and priority, as a remote activity or (mode: local) a
 * local activity, and classifies how it ended. Every call of the interpreter
 * goes through here.
 *
 * Two call paths: `callActivity` is the one runs recorded before
 * `weft-lean-calls` used (an async function; its number of promise steps is
 * part of the order in which outcomes reach the run machine, so it stays as
 * it was). `startCall` + `settle` are the lean path: one `then` per call,
 * and the only one that runs local activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import { modeOf } from '../dag/mode';
import type { CompiledActivityCall } from '../dag/types';
import { isAttemptDetail, unwrapResult, type LocalCallMeta } from './envelope';
import type { CallOutcome } from './machine/types';
import type { NodeError } from './messages';

export type { CallOutcome } from './machine/types';

type AnyActivity = (input: unknown, meta?: LocalCallMeta) => Promise<unknown>;

/**
 * A local activity's retry backoff up to this long is waited out in the
 * worker; a longer one becomes a durable timer (the SDK's `localRetryThreshold`,
 * 1 m by default). While a local activity waits in the worker its workflow task
 * stays open, so queries, signals and cancellation reach the run only when the
 * worker extends the task (every ~8 s) and a worker crash restarts the attempt
 * count. Past 5 s a timer's two events cost less than that: the run answers
 * queries and cancellation during the wait, and the wait survives a crash. The
 * default policy's backoffs (1 s, 2 s) stay in the worker.
 */
export const LOCAL_RETRY_THRESHOLD_MS = 5_000;

function retryPolicy(call: CompiledActivityCall): RetryPolicy {
  return {
    // The DAG format says 0 means unlimited; the SDK refuses 0 and means the same by leaving it out.
    ...(call.retry.maximumAttempts > 0 ? { maximumAttempts: call.retry.maximumAttempts } : {}),
    initialInterval: call.retry.initialIntervalMs,
    backoffCoefficient: call.retry.backoffCoefficient,
    maximumInterval: call.retry.maximumIntervalMs,
    nonRetryableErrorTypes: call.retry.nonRetryableErrorTypes,
  };
}

export function activityOptions(call: CompiledActivityCall, activityId: string): ActivityOptions {
  const t = call.timeouts;
  return {
    activityId,
    summary: activityId,
    ...(call.taskQueue ? { taskQueue: call.taskQueue } : {}),
    startToCloseTimeout: t.startToCloseMs,
    ...(t.scheduleToCloseMs !== undefined ? { scheduleToCloseTimeout: t.scheduleToCloseMs } : {}),
    ...(t.scheduleToStartMs !== undefined ? { scheduleToStartTimeout: t.scheduleToStartMs } : {}),
    ...(t.heartbeatMs !== undefined ? { heartbeatTimeout: t.heartbeatMs } : {}),
    retry: retryPolicy(call),
    ...(call.priority ? { priority: { priorityKey: call.priority } } : {}),
  };
}

/**
 * Local activity options: the same retry policy and start/close timeouts. A
 * heartbeat timeout, a task queue and a priority have no local meaning (validation
 * refuses the first two with an explicit `mode: local`; `auto` never picks local with them).
 */
export function localActivityOptions(call: CompiledActivityCall, activityId: string): LocalActivityOptions {
  const t = call.timeouts;
  return {
    summary: activityId,
    startToCloseTimeout: t.startToCloseMs,
    ...(t.scheduleToCloseMs !== undefined ? { scheduleToCloseTimeout: t.scheduleToCloseMs } : {}),
    retry: retryPolicy(call),
    localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
  };
}

/** The failure's root cause, as a message and a type to match on. */
export function describeFailure(err: unknown): { error: NodeError; attempt?: number } {
  let cause: unknown = err;
  if (err instanceof ActivityFailure && err.cause) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details ?? [];
    const last = details[details.length - 1];
    return {
      error: { message: cause.message, ...(cause.type ? { type: cause.type } : {}) },
      ...(isAttemptDetail(last) ? { attempt: last.weftAttempt } : {}),
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { error: { message: `activity timed out (${cause.timeoutType !== undefined ? String(cause.timeoutType) : 'timeout'})`, type: 'ActivityTimeout' } };
  }
  if (cause instanceof Error) return { error: { message: cause.message, type: cause.name } };
  return { error: { message: String(cause) } };
}

function succeeded(value: unknown): CallOutcome {
  const { output, attempt } = unwrapResult(value);
  return { kind: 'ok', output, ...(attempt !== undefined ? { attempt } : {}) };
}

function failed(err: unknown): CallOutcome {
  if (isCancellation(err)) return { kind: 'cancelled' };
  return { kind: 'failed', ...describeFailure(err) };
}

/** The call path of runs recorded before `weft-lean-calls` (see the header): always remote. */
export async function callActivity(call: CompiledActivityCall, activityId: string, input: unknown): Promise<CallOutcome> {
  const acts = proxyActivities<Record<string, AnyActivity>>(activityOptions(call, activityId));
  try {
    return succeeded(await acts[call.activity]!(input));
  } catch (err) {
    return failed(err);
  }
}

/**
 * Schedules the call in the current cancellation scope: a local activity when
 * the compiled call says `mode: local`, else a remote one. A local activity's
 * id is a sequence number, so the node's activity id travels as a second
 * argument, which Weft's activity interceptor takes off and makes the
 * activity's id (the idempotency key reads it).
 */
export function startCall(call: CompiledActivityCall, activityId: string, input: unknown): Promise<unknown> {
  if (modeOf(call) === 'local') {
    const meta: LocalCallMeta = { weftActivityId: activityId };
    return proxyLocalActivities<Record<string, AnyActivity>>(localActivityOptions(call, activityId))[call.activity]!(input, meta);
  }
  return proxyActivities<Record<string, AnyActivity>>(activityOptions(call, activityId))[call.activity]!(input);
}

/** Hands the call's outcome to `done`, with one promise step. */
export function settle(call: Promise<unknown>, done: (outcome: CallOutcome) => void): void {
  void call.then(
    (value) => done(succeeded(value)),
    (err: unknown) => done(failed(err)),
  );
}
