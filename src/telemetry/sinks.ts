/**
 * What workflow code tells the worker about runs, through a Temporal sink
 * (the supported way out of the sandbox; sinks are not called on replay, so
 * nothing is counted twice). Types only: the workflow interceptors import it.
 */
import type { Sinks } from '@temporalio/workflow';

export interface RunRef {
  dag: string;
  workflowId: string;
  runId: string;
}

export interface RunEnded extends RunRef {
  outcome: 'completed' | 'failed' | 'cancelled';
  /** Workflow time since the first run of the chain started (continue-as-new included). */
  durationMs: number;
  error?: string;
}

export interface NodeFailed extends RunRef {
  /** The activity id: `<nodeId>[/<mapIndex>]`. */
  node: string;
  activity: string;
  error: string;
}

export interface WeftTelemetrySinks extends Sinks {
  weftTelemetry: {
    runStarted(run: RunRef): void;
    runEnded(run: RunEnded): void;
    /** A node's activity failed for good (after its retries). */
    nodeFailed(node: NodeFailed): void;
  };
}
