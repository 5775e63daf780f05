/**
 * The messages of a `dagRun` workflow: its status query and the approval
 * update/signal. Clients import these definitions; they carry no logic.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallMode, NodeState } from '../dag/types';

export type RunState = 'running' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';

export interface NodeError {
  message: string;
  type?: string;
}

export interface NodeProgress {
  done: number;
  total: number;
  note?: string;
}

export interface NodeStatus {
  id: string;
  state: NodeState;
  /**
   * Activity nodes: where the node's activity runs. A local one is not among
   * describe()'s pending activities and sends no heartbeats, so a running local
   * node shows no progress and its attempts only once it ends.
   */
  mode?: CallMode;
  /** Activity attempts of the last try (for map nodes: of the last item to finish). */
  attempts?: number;
  startedAt?: string;
  endedAt?: string;
  /** Why a node is waiting or was skipped or cancelled. */
  reason?: string;
  error?: NodeError;
  /** From activity heartbeats; the client fills it in for running nodes. */
  progress?: NodeProgress;
  /** For map nodes: item (batch) counts. */
  items?: { total: number; succeeded: number; failed: number; running: number };
  /** The output was reused from an earlier run (retry --from-failed). */
  reused?: boolean;
  /** The node failed but has `onError: ignore`. */
  ignoredError?: boolean;
  /** Only when the status query is asked for outputs. */
  output?: unknown;
  compensation?: { state: 'running' | 'succeeded' | 'failed'; error?: NodeError };
}

export interface RunStatus {
  dag: string;
  hash: string;
  state: RunState;
  startedAt: string;
  /** Continue-as-new generations so far. */
  generation: number;
  counts: Record<NodeState, number>;
  nodes: NodeStatus[];
  error?: NodeError & { node?: string };
  /** Only for a run split into partition child workflows (docs/interpreter.md, "Scale"). */
  partitions?: PartitionStatus[];
}

/**
 * One partition of a partitioned run: the child workflow that runs the DAG's
 * nodes [start, end) (topological order). While it runs, the parent's status
 * shows those nodes as pending; WeftClient.getRun fills them in from the child.
 */
export interface PartitionStatus {
  workflowId: string;
  state: 'pending' | 'running' | 'done' | 'skipped';
  start: number;
  end: number;
}

export interface StatusQueryOptions {
  /** Include each node's output (used by retry --from-failed). @defaultValue false */
  outputs?: boolean;
}

export const statusQuery = defineQuery<RunStatus, [StatusQueryOptions?]>('status');

export interface ApprovalDecision {
  node: string;
  decision: 'approve' | 'reject';
  reason?: string;
  by?: string;
}

export interface ApprovalResult {
  node: string;
  decision: 'approve' | 'reject';
  at: string;
}

/** Approve or reject, with an answer (rejected when the node is not waiting). */
export const approvalUpdate = defineUpdate<ApprovalResult, [ApprovalDecision]>('approval');
/** Fire-and-forget form of the same decision. */
export const approvalSignal = defineSignal<[ApprovalDecision]>('approval');

export interface FailureDecision {
  node: string;
  /** retry: run the node again; skip: mark it skipped and go on; abort: let it fail. */
  action: 'retry' | 'skip' | 'abort';
  reason?: string;
  by?: string;
}

/** Decide a node that failed with `onError: ask` and waits for a person. */
export const resolveFailureUpdate = defineUpdate<{ node: string; action: FailureDecision['action']; at: string }, [FailureDecision]>('resolveFailure');

/** Failure types a run can end with; match on these, not on classes. */
export const FAILURE_TYPES = {
  NODE_FAILED: 'WeftNodeFailed',
  APPROVAL_REJECTED: 'WeftApprovalRejected',
  APPROVAL_TIMED_OUT: 'WeftApprovalTimedOut',
  EXPRESSION_FAILED: 'WeftExpressionFailed',
  BAD_MAP_ITEMS: 'WeftBadMapItems',
  BAD_INPUT: 'WeftBadInput',
  FAILURE_ABORTED: 'WeftFailureAborted',
  DECISION_TIMED_OUT: 'WeftDecisionTimedOut',
} as const;
