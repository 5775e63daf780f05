/**
 * The worker's side of telemetry: the sink that receives run events from
 * workflow code, and the activity interceptors that time attempts, label
 * spans and logs, and (with tracing on) continue the workflow's trace.
 */
import { trace, type Span } from '@opentelemetry/api';
import type { Context } from '@temporalio/activity';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptors, ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Logger } from '../common/logger';
import { DAG_HEADER, WEFT_ATTR, nodeOf } from './attributes';
import { workerMetrics } from './metrics';
import type { WeftTelemetrySinks } from './sinks';
import { activeTracing } from './tracing';
import { isLocalCallMeta } from '../workflows/envelope';

export type TelemetrySinks = InjectedSinks<WeftTelemetrySinks & OpenTelemetrySinks>;

/**
 * Sinks for Worker.create: run metrics and one readable log line per run
 * event; workflow spans go to the tracing's processor (dropped when this
 * worker does not trace but a traced client started the run).
 */
export function telemetrySinks(logger?: Logger): TelemetrySinks {
  const m = workerMetrics();
  const tracing = activeTracing();
  return {
    weftTelemetry: {
      runStarted: {
        fn: (_info, run) => {
          m.runsStarted.inc({ dag: run.dag });
          logger?.info({ event: 'run.started', dag: run.dag, runId: run.workflowId }, 'run started');
        },
      },
      runEnded: {
        fn: (_info, run) => {
          const counter = run.outcome === 'completed' ? m.runsCompleted : run.outcome === 'failed' ? m.runsFailed : m.runsCancelled;
          counter.inc({ dag: run.dag });
          m.runDuration.observe({ dag: run.dag, outcome: run.outcome }, run.durationMs / 1000);
          const fields = { event: `run.${run.outcome}`, dag: run.dag, runId: run.workflowId, durationMs: run.durationMs, ...(run.error ? { error: run.error } : {}) };
          if (run.outcome === 'failed') logger?.error(fields, 'run failed');
          else logger?.info(fields, `run ${run.outcome}`);
        },
      },
      nodeFailed: {
        fn: (_info, node) => {
          m.nodeFailures.inc({ dag: node.dag, node: nodeOf(node.node) });
          logger?.warn({ event: 'node.failed', dag: node.dag, runId: node.workflowId, nodeId: node.node, error: node.error }, 'node failed');
        },
      },
    },
    exporter: tracing ? tracing.temporal.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) : { export: { fn: () => undefined } },
  };
}

function dagOf(headers: Headers): string {
  const payload = headers[DAG_HEADER];
  if (!payload) return '';
  try {
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

function outcomeOf(err: unknown, ctx: Context): 'failure' | 'cancelled' {
  return ctx.cancellationSignal.aborted || (err instanceof Error && err.name === 'CancelledFailure') ? 'cancelled' : 'failure';
}

/** Times each attempt and names the activity's span and log lines after the run, node and DAG. */
function weftTelemetryInterceptor(ctx: Context): ActivityInterceptors {
  const m = workerMetrics();
  const { info } = ctx;
  // A local activity's own id is a sequence number; the node's id travels as its second argument (see
  // src/workers/interceptors.ts, which restores it after this interceptor has run), so read it from there.
  let activityId = info.activityId;
  let node = nodeOf(activityId);
  const runId = info.workflowExecution?.workflowId;
  let dag = '';
  let span: Span | undefined;
  return {
    inbound: {
      async execute(input, next) {
        if (info.isLocal && isLocalCallMeta(input.args[1])) {
          activityId = input.args[1].weftActivityId;
          node = nodeOf(activityId);
        } else if (info.isLocal) {
          // Another local call (a job of the job queue): no node, and its sequence-number id would make one label per job.
          node = info.activityType;
        }
        dag = dagOf(input.headers);
        span = trace.getActiveSpan();
        span?.setAttributes({
          [WEFT_ATTR.node]: node,
          [WEFT_ATTR.attempt]: info.attempt,
          [WEFT_ATTR.idempotencyKey]: runId ? `${runId}/${activityId}` : activityId,
          ...(runId ? { [WEFT_ATTR.runId]: runId } : {}),
          ...(dag ? { [WEFT_ATTR.dag]: dag } : {}),
        });
        const labels = { dag, node };
        if (info.attempt > 1) m.nodeRetries.inc(labels);
        const end = m.nodeDuration.startTimer(labels);
        try {
          const output = await next(input);
          end({ outcome: 'success' });
          m.nodeAttempts.inc({ ...labels, outcome: 'success' });
          return output;
        } catch (err) {
          const outcome = outcomeOf(err, ctx);
          end({ outcome });
          m.nodeAttempts.inc({ ...labels, outcome });
          throw err;
        }
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        // The task token is a credential for completing the activity; it does not belong in logs.
        const { taskToken: _token, ...rest } = input;
        const traceId = span?.spanContext().traceId;
        return next({ ...rest, ...(runId ? { runId } : {}), nodeId: activityId, attempt: info.attempt, ...(dag ? { dag } : {}), ...(traceId ? { traceId } : {}) });
      },
    },
  };
}

/**
 * Activity interceptors for Worker.create, outermost first: Temporal's
 * OpenTelemetry interceptor (only with tracing on) opens the activity span,
 * then Weft's labels it and measures the attempt.
 */
export function telemetryActivityInterceptors(): ActivityInterceptorsFactory[] {
  const otel = activeTracing()?.temporal;
  const traced: ActivityInterceptorsFactory[] = otel
    ? [(ctx) => ({ inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx), outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx) })]
    : [];
  return [...traced, weftTelemetryInterceptor];
}
