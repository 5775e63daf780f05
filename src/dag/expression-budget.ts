/**
 * What bounds one expression evaluation, apart from the parser: the errors an
 * evaluation fails with, and the step budget JSONata consults before every
 * step (src/dag/expressions.ts evaluates; docs/limits.md says why the bounds
 * are what they are). Deterministic, like the rest of src/dag, except where
 * it reads whether the SDK's stack capture is on, which never reaches a
 * workflow's history (see StackCaptureCostError).
 */
import { EXPRESSION_LIMITS } from './limits';

export class ExpressionError extends Error {
  override readonly name: string = 'ExpressionError';
  constructor(
    message: string,
    readonly expression: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

/** An evaluation went past one of EXPRESSION_LIMITS. */
export class ExpressionLimitError extends ExpressionError {
  override readonly name = 'ExpressionLimitError';
  constructor(
    message: string,
    expression: string,
    readonly limit: keyof typeof EXPRESSION_LIMITS,
  ) {
    super(message, expression);
  }
}

/** The expression as shown in messages: long ones are cut. */
export function shown(expr: string): string {
  return expr.length > 120 ? `${expr.slice(0, 120)}…` : expr;
}

/**
 * How evaluations are bounded without slowing them down. JSONata 2 calls its
 * `guardrails` before every evaluation step and reads `options.stack` (a
 * depth bound, checked by JSONata itself) and `options.timeout` there. The
 * timeout is useless in the workflow sandbox, where the clock stands still,
 * so `timeout` is a getter that counts steps instead: synchronous, with no
 * extra promise per step. (JSONata's `__evaluate_entry` hook would do the
 * same, but it is awaited, which doubles the promises an evaluation creates.)
 *
 * The count is per compiled expression and reset when an evaluation starts;
 * evaluations of the same text that interleave share it, which only makes
 * the bound tighter.
 */
export class StepBudget {
  steps = 0;
  /** Set when an evaluation starts: maxSteps, or the lower bound where the SDK's stack capture is on. */
  ceiling: number = EXPRESSION_LIMITS.maxSteps;
  constructor(private readonly expr: string) {}
  readonly stack = EXPRESSION_LIMITS.maxDepth;
  get timeout(): number {
    if (++this.steps > this.ceiling) {
      if (this.ceiling < EXPRESSION_LIMITS.maxSteps) throw new StackCaptureCostError(this.expr, this.ceiling);
      throw new ExpressionLimitError(`expression "${shown(this.expr)}" took more than ${EXPRESSION_LIMITS.maxSteps} evaluation steps; does it loop without end?`, this.expr, 'maxSteps');
    }
    return 0;
  }
}

/**
 * An evaluation went past maxStepsWithStackTraces on a worker whose workflow
 * threads capture a stack per promise. Not an ExpressionError: it must not
 * fail the node (another worker would not), so it fails the workflow task.
 */
export class StackCaptureCostError extends Error {
  override readonly name = 'StackCaptureCostError';
  constructor(
    readonly expression: string,
    readonly steps: number,
  ) {
    super(
      `expression "${shown(expression)}" needs more than ${steps} evaluation steps, more than a worker with workflow stack traces on can run ` +
        'without risking the SDK\'s isolate timeout, which aborts the worker process; turn them off (weft worker --no-workflow-stack-traces, ' +
        'or WEFT_WORKFLOW_STACK_TRACES=false) and the run goes on from here',
    );
  }
}

/**
 * Whether the SDK's per-promise stack capture is on in this workflow thread
 * (src/workers/stack-traces.ts turns it off). Outside a workflow there is no
 * activator and no capture. An activator without the field (an SDK change)
 * counts as on: the lower bound is the safe guess.
 */
export function stackCaptureOn(): boolean {
  const activator = (globalThis as { __TEMPORAL_ACTIVATOR__?: { stackTracesEnabled?: unknown } }).__TEMPORAL_ACTIVATOR__;
  return activator !== undefined && activator.stackTracesEnabled !== false;
}

/**
 * Fails the workflow task, not the node: an unhandled rejection in workflow
 * code fails the activation (the SDK's documented behaviour), and the
 * evaluation never settles, so nothing reaches the history. The task is
 * retried, and a worker with stack traces off completes it.
 */
export function failWorkflowTask(err: StackCaptureCostError): Promise<never> {
  void Promise.reject(err);
  return new Promise<never>(() => undefined);
}
