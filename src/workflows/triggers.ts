/**
 * Trigger rules: given how a node's dependencies ended so far, run it, skip
 * it, or wait. Works on tallies kept up to date as nodes finish, so a check
 * costs O(1) however many dependencies a node has.
 */
import type { TriggerRule } from '../dag/schema';

/** How many of a node's dependencies there are, and how many ended in each terminal state. */
export interface UpstreamCounts {
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

export type TriggerDecision = { action: 'run' } | { action: 'wait' } | { action: 'skip'; reason: string };

const RUN = { action: 'run' } as const;
const WAIT = { action: 'wait' } as const;

export function evaluateTrigger(rule: TriggerRule, u: UpstreamCounts): TriggerDecision {
  if (u.total === 0) return RUN;
  const done = u.done === u.total;
  switch (rule) {
    case 'all-success':
      if (u.failed > 0 || u.cancelled > 0) return { action: 'skip', reason: 'an upstream node failed (trigger all-success)' };
      if (u.skipped > 0) return { action: 'skip', reason: 'an upstream node was skipped (trigger all-success)' };
      return done ? RUN : WAIT;
    case 'all-done':
      return done ? RUN : WAIT;
    case 'one-success':
      if (u.succeeded > 0) return RUN;
      return done ? { action: 'skip', reason: 'no upstream node succeeded (trigger one-success)' } : WAIT;
    case 'one-failed':
      if (u.failed > 0) return RUN;
      return done ? { action: 'skip', reason: 'no upstream node failed (trigger one-failed)' } : WAIT;
    case 'none-failed':
      if (u.failed > 0 || u.cancelled > 0) return { action: 'skip', reason: 'an upstream node failed (trigger none-failed)' };
      return done ? RUN : WAIT;
  }
}
