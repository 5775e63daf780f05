/**
 * Activity interceptor of every Weft worker: wraps results in an envelope
 * that carries the attempt number, and appends the attempt to failure
 * details, so a run's status can say how many attempts each node took.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import type { ActivityEnvelope, AttemptDetail } from '../workflows/envelope';

export function weftActivityInterceptor(ctx: Context): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next): Promise<unknown> {
        const attempt = ctx.info.attempt;
        try {
          const output = await next(input);
          const envelope: ActivityEnvelope = { __weft: 1, output: output ?? null, attempt };
          return envelope;
        } catch (err) {
          const detail: AttemptDetail = { weftAttempt: attempt };
          if (err instanceof ApplicationFailure) {
            throw ApplicationFailure.create({
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
          if (err instanceof Error && (err.name === 'CancelledFailure' || err.name === 'CompleteAsyncError')) throw err;
          if (err instanceof Error) {
            throw ApplicationFailure.create({ message: err.message, type: err.name, details: [detail], cause: err });
          }
          throw err;
        }
      },
    },
  };
}
