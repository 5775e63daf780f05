/**
 * Activity interceptor of every Weft worker: wraps results in an envelope
 * that carries the attempt number, appends the attempt to failure details (so
 * a run's status can say how many attempts each node took), and applies the
 * per-activity-type circuit breakers when configured. For a local activity it
 * also restores the node's activity id (see LocalCallMeta), so the
 * idempotency key, logs and `once()` see `<workflowId>/<node>` in both modes.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors, ActivityInterceptorsFactory } from '@temporalio/worker';
import { isLocalCallMeta, type ActivityEnvelope, type AttemptDetail } from '../workflows/envelope';
import type { CircuitBreakers } from './circuit-breaker';

function withAttempt(err: unknown, attempt: number): unknown {
  const detail: AttemptDetail = { weftAttempt: attempt };
  if (err instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? undefined,
      details: [...(err.details ?? []), detail],
      ...(err.nextRetryDelay !== undefined && err.nextRetryDelay !== null ? { nextRetryDelay: err.nextRetryDelay } : {}),
      ...(err.cause ? { cause: err.cause } : {}),
      category: err.category ?? undefined,
    });
  }
  // Cancellation and other SDK errors keep their identity.
  if (err instanceof Error && (err.name === 'CancelledFailure' || err.name === 'CompleteAsyncError')) return err;
  if (err instanceof Error) return ApplicationFailure.create({ message: err.message, type: err.name, details: [detail], cause: err });
  return err;
}

export function createActivityInterceptor(opts: { breakers?: CircuitBreakers } = {}): ActivityInterceptorsFactory {
  return (ctx: Context): ActivityInterceptors => ({
    inbound: {
      async execute(input, next): Promise<unknown> {
        if (ctx.info.isLocal && input.args.length === 2 && isLocalCallMeta(input.args[1])) {
          // The SDK builds info per attempt and hands the same object to the activity's Context.
          (ctx.info as { activityId: string }).activityId = input.args[1].weftActivityId;
          input = { ...input, args: input.args.slice(0, 1) };
        }
        if (ctx.info.isLocal) {
          // A local activity's heartbeats have no effect (the SDK says so), but the worker logs a warning for each
          // one; built-ins such as http.request beat every second. Progress reports go nowhere in local mode.
          (ctx as unknown as { heartbeatFn: (details?: unknown) => void }).heartbeatFn = () => undefined;
        }
        const { attempt, activityType } = ctx.info;
        try {
          opts.breakers?.admit(activityType);
          const output = await next(input);
          opts.breakers?.succeeded(activityType);
          const envelope: ActivityEnvelope = { __weft: 1, output: output ?? null, attempt };
          return envelope;
        } catch (err) {
          if (!(err instanceof Error && err.name === 'CancelledFailure')) {
            opts.breakers?.failed(activityType, err instanceof ApplicationFailure ? (err.type ?? undefined) : err instanceof Error ? err.name : undefined);
          }
          throw withAttempt(err, attempt);
        }
      },
    },
  });
}

/** The interceptor without circuit breakers. */
export const weftActivityInterceptor = createActivityInterceptor();
