/**
 * What a partitioned run's parent and its `dagPartition` children exchange:
 * the child's arguments and result, its workflow id, and the signal that
 * forwards failure decisions. Plain data; no logic.
 */
import { defineSignal } from '@temporalio/workflow';
import type { PackedDag } from '../../dag/pack';
import type { CarriedState, CompactStatus } from '../carry';
import type { FailureDecision, NodeError } from '../messages';
import type { RunnerOptions } from '../runner';

export const PARTITION_WORKFLOW_TYPE = 'dagPartition';

/**
 * A partition's workflow id. The same on every retry of the run, so
 * `retry --from-failed` restarts the same children; the activity context
 * strips the suffix again to build idempotency keys (`<run id>/<node id>`).
 */
export function partitionWorkflowId(runId: string, index: number): string {
  return `${runId}${PARTITION_ID_SUFFIX}${index}`;
}

export const PARTITION_ID_SUFFIX = '/weft-partition-';

/** Failure decisions forwarded by the parent (a workflow cannot send an update, only a signal). */
export const partitionFailureSignal = defineSignal<[FailureDecision]>('weftPartitionFailureDecision');

export interface PartitionArgs {
  /** Stubs of the imported nodes first, then the partition's own nodes, in DAG order. */
  dag: PackedDag;
  input: unknown;
  /** How many of `dag.nodes`, at the end, are the partition's own. */
  own: number;
  /** The run's (the parent's) workflow id: `run.id` and the prefix of idempotency keys. */
  runId: string;
  /** Statuses and outputs of the stubs (and of own nodes reused from an earlier run); later, the machine's own. */
  carried: CarriedState;
  options?: RunnerOptions;
}

export interface PartitionResult {
  /** Own nodes' statuses, compact, by id. */
  done: Record<string, CompactStatus>;
  /** Own nodes' outputs, when not null. */
  outputs: Record<string, unknown>;
  /** The first failure under fail-fast. */
  failure?: { node: string; error: NodeError };
  /** The partition was cancelled (the run was). */
  cancelled?: boolean;
}
