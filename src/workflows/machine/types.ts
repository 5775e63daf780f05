/**
 * The vocabulary between the run machine and its workflow shell: the events
 * the shell feeds in (plain data, with the workflow clock in `at`) and the
 * commands the machine hands back. Nothing here touches Temporal, so the
 * machine can be tested as a table of events and expected commands.
 */
import type { CompiledActivityCall } from '../../dag/types';
import type { ApprovalDecision, FailureDecision, NodeError } from '../messages';

/** How one activity call ended, as the shell reports it. */
export type CallOutcome = { kind: 'ok'; output: unknown; attempt?: number } | { kind: 'failed'; error: NodeError; attempt?: number } | { kind: 'cancelled' };

/** How one node ended. */
export type Outcome =
  | { state: 'succeeded'; output: unknown; attempts?: number; ignoredError?: NodeError }
  | { state: 'failed'; error: NodeError; attempts?: number }
  | { state: 'skipped'; reason: string }
  | { state: 'cancelled'; reason: string };

/** What an `evaluate` command asks for; the answer names the same step. `output` is the run's (node ''). */
export type Step = 'when' | 'delay' | 'at' | 'items' | 'input' | 'notify' | 'compensate' | 'output';

interface At {
  /** The workflow clock (ms since the epoch) when the event happened. */
  at: number;
  /** The history is long enough to continue as new (checked only when a node completes). */
  long?: boolean;
}

export type RunEvent = At &
  (
    | { type: 'start' }
    | { type: 'evaluated'; node: string; step: Step; index?: number; value: unknown }
    | { type: 'evaluation-failed'; node: string; step: Step; index?: number; message: string }
    | { type: 'activity-done'; node: string; index?: number; result: CallOutcome }
    | { type: 'timer-fired'; node: string }
    /** A wait for an approval or a failure decision ended: decided, or its deadline passed. */
    | { type: 'decision-due'; node: string; decided: boolean }
    | { type: 'notified'; node: string; result: CallOutcome }
    /** A timer or a wait of the node was cancelled (fail-fast or run cancellation). */
    | { type: 'node-cancelled'; node: string }
    | { type: 'approval'; decision: ApprovalDecision }
    | { type: 'failure-decision'; decision: FailureDecision }
    | { type: 'cancel' }
    /** The shell saw the run settle (see RunMachine.settled) and asks how to end it. */
    | { type: 'end' }
    | { type: 'compensated'; node: string; result: CallOutcome }
  );

export interface RunFailure {
  type: string;
  message: string;
  details?: unknown[];
}

export type Command =
  /** Evaluate `expr` in the run's expression context: as one template, or every template inside a JSON value. */
  | { kind: 'evaluate'; node: string; step: Step; expr: unknown; template: boolean; index?: number; item?: unknown }
  | { kind: 'timer'; node: string; ms: number }
  /** Run an activity for a node (`index` for a map item); activityId is `node` or `node/index`. */
  | { kind: 'call'; node: string; index?: number; activityId: string; call: CompiledActivityCall; input: unknown }
  | { kind: 'notify'; node: string; activityId: string; call: CompiledActivityCall; input: unknown }
  /** Wait until the node has a decision (see RunMachine.hasDecision), at most `ms`. */
  | { kind: 'wait-decision'; node: string; ms: number }
  /** Cancel the in-flight items of a map node after one failed. */
  | { kind: 'cancel-items'; node: string }
  /** Fail-fast: cancel everything in flight. */
  | { kind: 'stop' }
  /** A node's trigger rule held and it started (informational; the shell may open a scope for it). */
  | { kind: 'launched'; node: string }
  /** A node reached a terminal state (informational: status is already updated). */
  | { kind: 'ended'; node: string; state: Outcome['state'] }
  | { kind: 'log'; level: 'info' | 'warn'; message: string; attrs: Record<string, unknown> }
  | { kind: 'compensate'; node: string; activityId: string; call: CompiledActivityCall; input: unknown }
  | { kind: 'complete-run'; output: unknown }
  | { kind: 'fail-run'; failure: RunFailure }
  | { kind: 'cancel-run' }
  | { kind: 'continue-as-new' };

export type EndCommand = Extract<Command, { kind: 'complete-run' | 'fail-run' | 'cancel-run' | 'continue-as-new' }>;
