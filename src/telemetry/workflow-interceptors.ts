/**
 * Workflow interceptors of every Weft worker, bundled into the sandbox (keep
 * this file free of Node built-ins and of anything non-deterministic).
 *
 * - Run events (started, completed, failed, cancelled) and nodes that failed
 *   for good go to the worker through the `weftTelemetry` sink, for metrics
 *   and readable logs.
 * - Each scheduled activity carries the DAG name in a header, so the worker's
 *   activity interceptor can label metrics, logs and spans by DAG.
 * - Tracing: Temporal's OpenTelemetry interceptors run only for a workflow
 *   whose start carried a trace context (a traced client started it). That
 *   keeps untraced runs free, and the choice is deterministic: the headers are
 *   in the history.
 */
import {
  ContinueAsNew,
  isCancellation,
  proxySinks,
  workflowInfo,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type * as OtelApi from '@opentelemetry/api';
import { DAG_HEADER, WEFT_ATTR, nodeOf } from './attributes';
import type { RunRef, WeftTelemetrySinks } from './sinks';

/** The header Temporal's OpenTelemetry interceptors carry the span context in. */
const TRACE_HEADER = '_tracer-data';
const DAG_RUN = 'dagRun';

const sinks = proxySinks<WeftTelemetrySinks>().weftTelemetry;

/**
 * The sink, except while replaying: the worker would drop those calls anyway,
 * and a replay worker (which registers no sinks) would log each as unknown.
 * Branching on replay is safe here because sink calls issue no commands.
 */
const weftTelemetry: WeftTelemetrySinks['weftTelemetry'] = {
  runStarted: (run) => void (workflowInfo().unsafe.isReplaying || sinks.runStarted(run)),
  runEnded: (run) => void (workflowInfo().unsafe.isReplaying || sinks.runEnded(run)),
  nodeFailed: (node) => void (workflowInfo().unsafe.isReplaying || sinks.nodeFailed(node)),
};

function dagNameOf(args: unknown[]): string | undefined {
  const dag = (args[0] as { dag?: { name?: unknown } } | undefined)?.dag;
  return typeof dag?.name === 'string' ? dag.name : undefined;
}

function messageOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  // An activity failure's own message is generic; its cause says what went wrong.
  if (cause instanceof Error && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function activityIdOf(input: ActivityInput | LocalActivityInput): string {
  return 'activityId' in input.options && input.options.activityId ? input.options.activityId : String(input.seq);
}

/**
 * OpenTelemetry's modules (116 of the bundle's ~240), loaded only for a traced
 * run: the sandbox sets up every module it loads again for each run, and for
 * untraced runs that set-up was a fifth of the workflow thread's CPU
 * (BENCHMARKS.md, section 15). require() keeps them in the bundle but runs
 * their top-level code only when called.
 */
function otel(): { workflow: typeof OtelWorkflow; api: typeof OtelApi } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { workflow: require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflow, api: require('@opentelemetry/api') as typeof OtelApi };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Labels the active span (the OpenTelemetry interceptor's) with Weft's names; only called for traced runs. */
function label(attributes: Record<string, string>): void {
  otel().api.trace.getActiveSpan()?.setAttributes(attributes);
}

interface Tracing {
  inbound: OtelWorkflow.OpenTelemetryInboundInterceptor;
  outbound: OtelWorkflow.OpenTelemetryOutboundInterceptor;
  internals: OtelWorkflow.OpenTelemetryInternalsInterceptor;
}

export const interceptors = (): WorkflowInterceptors => {
  let run: RunRef | undefined;
  let tracing: Tracing | undefined;

  const withDag = (headers: Headers): Headers => (run ? { ...headers, [DAG_HEADER]: defaultPayloadConverter.toPayload(run.dag) } : headers);

  async function observed<T>(execute: () => Promise<T>): Promise<T> {
    const info = workflowInfo();
    if (!run) return execute();
    const ref = run;
    if (!info.continuedFromExecutionRunId) weftTelemetry.runStarted(ref);
    try {
      const result = await execute();
      weftTelemetry.runEnded({ ...ref, outcome: 'completed', durationMs: Date.now() - info.startTime.getTime() });
      return result;
    } catch (err) {
      if (!(err instanceof ContinueAsNew)) {
        const outcome = isCancellation(err) ? 'cancelled' : 'failed';
        weftTelemetry.runEnded({ ...ref, outcome, durationMs: Date.now() - info.startTime.getTime(), ...(outcome === 'failed' ? { error: messageOf(err) } : {}) });
      }
      throw err;
    }
  }

  function reportFailure<T>(input: ActivityInput | LocalActivityInput, call: Promise<T>): Promise<T> {
    if (!run) return call;
    const ref = run;
    return call.catch((err: unknown) => {
      if (!isCancellation(err)) {
        weftTelemetry.nodeFailed({ ...ref, node: activityIdOf(input), activity: input.activityType, error: messageOf(err) });
      }
      throw err;
    });
  }

  /** Wraps `next` so the activity's start span gets the node's names (it runs inside that span). */
  function labelled<I extends ActivityInput | LocalActivityInput>(input: I, next: (i: I) => Promise<unknown>): (i: I) => Promise<unknown> {
    return (i) => {
      const id = activityIdOf(input);
      label({ [WEFT_ATTR.node]: nodeOf(id), [WEFT_ATTR.idempotencyKey]: `${workflowInfo().workflowId}/${id}`, ...(run ? { [WEFT_ATTR.dag]: run.dag } : {}) });
      return next(i);
    };
  }

  const inbound: WorkflowInboundCallsInterceptor = {
    async execute(input, next) {
      const info = workflowInfo();
      const dag = info.workflowType === DAG_RUN ? dagNameOf(input.args) : undefined;
      if (dag) run = { dag, workflowId: info.workflowId, runId: info.runId };
      if (input.headers[TRACE_HEADER]) {
        const { workflow: o } = otel();
        tracing = { inbound: new o.OpenTelemetryInboundInterceptor(), outbound: new o.OpenTelemetryOutboundInterceptor(), internals: new o.OpenTelemetryInternalsInterceptor() };
        return tracing.inbound.execute(input, (i) => {
          if (dag) label({ [WEFT_ATTR.dag]: dag, [WEFT_ATTR.runId]: info.workflowId });
          return observed(() => next(i));
        });
      }
      return observed(() => next(input));
    },
    handleSignal: (input, next) => (tracing ? tracing.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (tracing ? tracing.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (tracing ? tracing.inbound.validateUpdate(input, next) : next(input)),
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity(input, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
      const withHeader = { ...input, headers: withDag(input.headers) };
      return reportFailure(input, tracing ? tracing.outbound.scheduleActivity(withHeader, labelled(input, next)) : next(withHeader));
    },
    scheduleLocalActivity(input, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>) {
      const withHeader = { ...input, headers: withDag(input.headers) };
      return reportFailure(input, tracing ? tracing.outbound.scheduleLocalActivity(withHeader, labelled(input, next)) : next(withHeader));
    },
    startChildWorkflowExecution: (input, next) => (tracing ? tracing.outbound.startChildWorkflowExecution(input, next) : next(input)),
    continueAsNew: (input, next) => (tracing ? tracing.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (tracing ? tracing.outbound.signalWorkflow(input, next) : next(input)),
    getLogAttributes: (input, next) => (tracing ? tracing.outbound.getLogAttributes(input, next) : next(input)),
  };

  return {
    inbound: [inbound],
    outbound: [outbound],
    internals: [
      {
        dispose(input, next) {
          // Temporal's version is declared async but does its work synchronously.
          if (tracing) void tracing.internals.dispose(input, next);
          else next(input);
        },
      },
    ],
  };
};
