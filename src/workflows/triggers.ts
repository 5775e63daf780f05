/** Trigger rules: given the states of a node's dependencies, run it, skip it, or wait. */
import type { TriggerRule } from '../dag/schema';
import { TERMINAL_STATES, type NodeState } from '../dag/types';

export type TriggerDecision = { action: 'run' } | { action: 'wait' } | { action: 'skip'; reason: string };

const RUN = { action: 'run' } as const;
const WAIT = { action: 'wait' } as const;

export function evaluateTrigger(rule: TriggerRule, upstream: readonly NodeState[]): TriggerDecision {
  if (upstream.length === 0) return RUN;
  const done = upstream.every((s) => TERMINAL_STATES.has(s));
  const any = (s: NodeState): boolean => upstream.includes(s);
  switch (rule) {
    case 'all-success':
      if (any('failed') || any('cancelled')) return { action: 'skip', reason: 'an upstream node failed (trigger all-success)' };
      if (any('skipped')) return { action: 'skip', reason: 'an upstream node was skipped (trigger all-success)' };
      return done ? RUN : WAIT;
    case 'all-done':
      return done ? RUN : WAIT;
    case 'one-success':
      if (any('succeeded')) return RUN;
      return done ? { action: 'skip', reason: 'no upstream node succeeded (trigger one-success)' } : WAIT;
    case 'one-failed':
      if (any('failed')) return RUN;
      return done ? { action: 'skip', reason: 'no upstream node failed (trigger one-failed)' } : WAIT;
    case 'none-failed':
      if (any('failed') || any('cancelled')) return { action: 'skip', reason: 'an upstream node failed (trigger none-failed)' };
      return done ? RUN : WAIT;
  }
}
