/**
 * Read-only views of a run machine: the status query's answer and the state
 * carried to the next execution at continue-as-new. Both keep the shapes
 * clients and older runs depend on (messages.ts, carry.ts).
 */
import type { CarriedState } from '../carry';
import type { RunStatus, StatusQueryOptions } from '../messages';
import type { RunMachine } from './machine';

export function statusOf(m: RunMachine, opts: StatusQueryOptions = {}): RunStatus {
  return {
    dag: m.dag.name,
    hash: m.dag.hash,
    state: m.runState,
    startedAt: m.startedAt,
    generation: m.generation,
    counts: { ...m.book.counts },
    nodes: m.book.nodes(opts, m.lean),
    ...(m.failure ? { error: { ...m.failure.error, node: m.failure.node } } : {}),
  };
}

export function carriedOf(m: RunMachine): CarriedState {
  return {
    generation: m.generation + 1,
    startedAt: m.startedAt,
    ...m.book.carryDone(),
    mapOutputs: m.maps.carry(),
    wakeAt: Object.fromEntries(m.waits.wakeAt),
    approvals: Object.fromEntries(m.waits.approvals),
  };
}
