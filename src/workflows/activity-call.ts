/**
 * Calls one registered activity for a node with the node's own retry policy,
 * timeouts, task queue and priority, and classifies how it ended.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { CompiledActivityCall } from '../dag/types';
import { isAttemptDetail, unwrapResult } from './envelope';
import type { CallOutcome } from './machine/types';
import type { NodeError } from './messages';

export type { CallOutcome } from './machine/types';

type AnyActivity = (input: unknown) => Promise<unknown>;

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
    retry: {
      // The DAG format says 0 means unlimited; the SDK refuses 0 and means the same by leaving it out.
      ...(call.retry.maximumAttempts > 0 ? { maximumAttempts: call.retry.maximumAttempts } : {}),
      initialInterval: call.retry.initialIntervalMs,
      backoffCoefficient: call.retry.backoffCoefficient,
      maximumInterval: call.retry.maximumIntervalMs,
      nonRetryableErrorTypes: call.retry.nonRetryableErrorTypes,
    },
    ...(call.priority ? { priority: { priorityKey: call.priority } } : {}),
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

export async function callActivity(call: CompiledActivityCall, activityId: string, input: unknown): Promise<CallOutcome> {
  const acts = proxyActivities<Record<string, AnyActivity>>(activityOptions(call, activityId));
  try {
    const { output, attempt } = unwrapResult(await acts[call.activity]!(input));
    return { kind: 'ok', output, ...(attempt !== undefined ? { attempt } : {}) };
  } catch (err) {
    if (isCancellation(err)) return { kind: 'cancelled' };
    return { kind: 'failed', ...describeFailure(err) };
  }
}
