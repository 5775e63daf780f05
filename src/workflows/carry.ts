/**
 * What a run hands to its next execution at continue-as-new. Terminal node
 * statuses travel compactly: thousands of them fit in one input.
 */
import type { NodeState } from '../dag/types';
import type { ApprovalDecision, NodeStatus } from './messages';

/**
 * A terminal node's status in few bytes: [state, startedAt ms, duration ms,
 * attempts, rarer fields]. Thousands of these travel in a continue-as-new input.
 */
export type CompactStatus = [NodeState, number | null, number | null, number | null, Partial<NodeStatus> | null];

export function compact(s: NodeStatus): CompactStatus {
  const { id: _id, state, startedAt, endedAt, attempts, ...rest } = s;
  const start = startedAt ? Date.parse(startedAt) : null;
  const end = endedAt ? Date.parse(endedAt) : null;
  return [state, start, start !== null && end !== null ? end - start : null, attempts ?? null, Object.keys(rest).length ? rest : null];
}

export function expand(id: string, [state, start, duration, attempts, rest]: CompactStatus): NodeStatus {
  return {
    id,
    state,
    ...(start !== null ? { startedAt: new Date(start).toISOString() } : {}),
    ...(start !== null && duration !== null ? { endedAt: new Date(start + duration).toISOString() } : {}),
    ...(attempts !== null ? { attempts } : {}),
    ...(rest ?? {}),
  };
}

/** What survives a continue-as-new, besides the DAG and input. */
export interface CarriedState {
  generation: number;
  startedAt: string;
  /** Terminal nodes' statuses. */
  done: Record<string, CompactStatus>;
  /** Outputs of terminal nodes that have one. */
  outputs: Record<string, unknown>;
  /** Finished batches of map nodes that were still running. */
  mapOutputs: Record<string, Record<number, unknown>>;
  /** Absolute wake-up times of delays already begun, by node. */
  wakeAt: Record<string, number>;
  /** Approval deadlines already begun, and decisions not yet consumed. */
  approvals: Record<string, { deadline: number; decision?: ApprovalDecision }>;
}
