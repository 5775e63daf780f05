/**
 * Activity interceptor of every Weft worker: wraps results in an envelope
 * that carries the attempt number, appends the attempt to failure details (so
 * a run's status can say how many attempts each node took), and applies the
 * per-activity-type circuit breakers when configured. For a local activity it
 * also restores the node's activity id (see LocalCallMeta), so the
 * idempotency key, logs and `once()` see `<workflowId>/<node>` in both modes.
 * Last, it fails an output too large for Temporal to accept (output-limit.ts),
 * which would otherwise wedge a run with a local node.
 */
import { ApplicationFailure, type PayloadCodec } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors, ActivityInterceptorsFactory } from '@temporalio/worker';
import { isLocalCallMeta, type ActivityEnvelope, type AttemptDetail } from '../workflows/envelope';
import type { CircuitBreakers } from './circuit-breaker';
import { MAX_OUTPUT_PAYLOAD_BYTES, OutputTooLargeError, oversizedBytes } from './output-limit';

export interface ActivityInterceptorOptions {
  breakers?: CircuitBreakers;
  /** The worker's payload codecs, so an output is measured as it will be sent. @defaultValue none */
  payloadCodecs?: readonly PayloadCodec[];
  /** Largest encoded output accepted. @defaultValue MAX_OUTPUT_PAYLOAD_BYTES (Temporal's 2 MiB less 4 KiB) */
  maxOutputBytes?: number;
}

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

/** Activity types already warned about heartbeating as local activities (one warning per type and process). */
const warnedHeartbeats = new Set<string>();

export function createActivityInterceptor(opts: ActivityInterceptorOptions = {}): ActivityInterceptorsFactory {
  const bound = opts.maxOutputBytes ?? MAX_OUTPUT_PAYLOAD_BYTES;
  const codecs = opts.payloadCodecs ?? [];
  return (ctx: Context): ActivityInterceptors => ({
    inbound: {
      async execute(input, next): Promise<unknown> {
        // A remote call's id is its node's; a local one's is the node's once its LocalCallMeta is read, else (a job) a sequence number.
        let isNode = !ctx.info.isLocal;
        if (ctx.info.isLocal && input.args.length === 2 && isLocalCallMeta(input.args[1])) {
          isNode = true;
          // The SDK builds info per attempt and hands the same object to the activity's Context.
          (ctx.info as { activityId: string }).activityId = input.args[1].weftActivityId;
          input = { ...input, args: input.args.slice(0, 1) };
        }
        if (ctx.info.isLocal) {
          // A local activity's heartbeats have no effect (the SDK says so), but the worker logs a warning for each
          // one; built-ins such as http.request beat every second. Progress reports go nowhere in local mode.
          // Warned once per activity type: it reports progress, so `auto` should not have run it locally.
          (ctx as unknown as { heartbeatFn: (details?: unknown) => void }).heartbeatFn = () => {
            if (warnedHeartbeats.has(ctx.info.activityType)) return;
            warnedHeartbeats.add(ctx.info.activityType);
            ctx.log.warn(
              `activity ${ctx.info.activityType} heartbeats but runs as a local activity, where heartbeats and progress go nowhere: ` +
                'declare heartbeatTimeout in its defineActivity() and compile with the registry (WeftClient option activityHeartbeats: registry.heartbeatTimeouts()), set timeout.heartbeat on its nodes, or give them mode: remote',
            );
          };
        }
        const { attempt, activityType } = ctx.info;
        let envelope: ActivityEnvelope;
        try {
          opts.breakers?.admit(activityType);
          const output = await next(input);
          opts.breakers?.succeeded(activityType);
          envelope = { __weft: 1, output: output ?? null, attempt };
        } catch (err) {
          if (!(err instanceof Error && err.name === 'CancelledFailure')) {
            opts.breakers?.failed(activityType, err instanceof ApplicationFailure ? (err.type ?? undefined) : err instanceof Error ? err.name : undefined);
          }
          // A local activity that fails after it was cancelled (the interpreter never cancels one, but a worker
          // shutting down does) ends as cancelled: the worker (SDK 1.24) fails the workflow task with "Invalid
          // transition in state machine" when a cancelled local activity reports a failure instead.
          if (ctx.info.isLocal && ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          throw withAttempt(err, attempt);
        }
        // Outside the try: an output too large is the activity's mistake, not a failure of what it calls (the breakers).
        const size = await oversizedBytes(envelope, bound, codecs);
        if (size !== undefined) {
          const subject = isNode ? `node "${ctx.info.activityId}"` : 'a job';
          throw withAttempt(new OutputTooLargeError(subject, activityType, size, bound, ctx.info.isLocal).toFailure(), attempt);
        }
        return envelope;
      },
    },
  });
}

/** The interceptor without circuit breakers. */
export const weftActivityInterceptor = createActivityInterceptor();
