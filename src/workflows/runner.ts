/**
 * The workflow shell around the run machine (machine/machine.ts): it feeds
 * the machine events with the workflow clock, and turns the commands it gets
 * back into Temporal calls, timers and conditions. Every decision is the
 * machine's; what is here is only how a decision reaches Temporal.
 *
 * Scopes: all node work runs in one cancellation scope (`work`), which
 * fail-fast cancels as a whole; a map node has one more for its items. Runs
 * recorded before that change (no `weft-shared-scope` marker) get one scope
 * per node, as they did, so the order of their cancel commands replays.
 *
 * Lean calls (`weft-lean-calls`): an activity outcome reaches the machine in
 * one promise step instead of an async function's three, and literal inputs
 * skip evaluation; both change the order in which outcomes that land in one
 * activation reach the machine, so only runs with the marker get them. Local
 * activities exist only on this path, so a run started by an older worker
 * never meets one on replay.
 *
 * Local calls run in a non-cancellable scope: fail-fast, a failed map item or
 * a cancelled run let a local activity in flight finish and record its
 * outcome. Cancelling one makes the SDK 1.24 worker fail the workflow task
 * ("Invalid transition in state machine") when the activity's failure and the
 * cancel request cross, and local nodes are short by the `auto` rule.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { evaluateTemplate, evaluateValue } from '../dag/expressions';
import { modeOf } from '../dag/mode';
import type { CompiledDag } from '../dag/types';
import { callActivity, settle, startCall } from './activity-call';
import type { CarriedState } from './carry';
import { LocalBudget } from './local-budget';
import type { ApprovalDecision, FailureDecision, RunState, RunStatus, StatusQueryOptions } from './messages';
import { RunMachine } from './machine/machine';
import type { CallOutcome, Command, EndCommand, RunEvent } from './machine/types';

export type { CarriedState } from './carry';

export interface RunnerOptions {
  /** Continue-as-new once history has this many events, even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
  /** The run's workflow id when this execution is one partition of it (src/workflows/partition/): `run.id`. */
  runId?: string;
}

/** Marks runs whose node work shares one cancellation scope (see the header). */
export const SHARED_SCOPE_PATCH = 'weft-shared-scope';
/** Marks runs with lean calls and local activities (see the header). */
export const LEAN_CALLS_PATCH = 'weft-lean-calls';

type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at' | 'long'> : never) : never;

export class DagRunner {
  private readonly machine: RunMachine;
  private work!: CancellationScope;
  /** Per-node scopes, only for runs recorded before the shared scope. */
  private nodeScopes: Map<string, CancellationScope> | undefined;
  private readonly itemScopes = new Map<string, CancellationScope>();
  private onEnd: ((cmd: EndCommand) => void) | undefined;
  /** Bounds the local activities one workflow task runs (local-budget.ts). */
  private readonly localBudget = new LocalBudget();

  constructor(
    dag: CompiledDag,
    input: unknown,
    private readonly opts: RunnerOptions = {},
    reuse: Record<string, unknown> = {},
    carried?: CarriedState,
  ) {
    this.machine = new RunMachine({ dag, input, runId: opts.runId ?? workflowInfo().workflowId, now: Date.now(), reuse, ...(carried ? { carried } : {}) });
  }

  // ---- messages -------------------------------------------------------------

  getStatus(opts: StatusQueryOptions = {}): RunStatus {
    return this.machine.status(opts);
  }

  get state(): RunState {
    return this.machine.runState;
  }

  /** Throws when the decision cannot apply, so an update is rejected with the reason. */
  validateDecision(d: ApprovalDecision): void {
    this.machine.validateApproval(d);
  }

  decide(d: ApprovalDecision): void {
    this.feed({ type: 'approval', decision: d });
  }

  validateFailureDecision(d: FailureDecision): void {
    this.machine.validateFailureDecision(d);
  }

  resolveFailure(d: FailureDecision): void {
    this.feed({ type: 'failure-decision', decision: d });
  }

  // ---- the run ----------------------------------------------------------------

  /** Runs to the end: returns the run output or the state to continue with, or throws the run's failure. */
  async run(): Promise<{ kind: 'done'; output: unknown } | { kind: 'continue'; carried: CarriedState }> {
    const root = CancellationScope.current();
    if (!patched(SHARED_SCOPE_PATCH)) this.nodeScopes = new Map();
    this.machine.lean = patched(LEAN_CALLS_PATCH);
    // Registered before any scope below it, so the machine knows of a cancelled run before any node reports being cancelled.
    void root.cancelRequested.catch(() => this.feed({ type: 'cancel' }));
    this.work = new CancellationScope();
    try {
      await this.work.run(async () => this.feed({ type: 'start' }));
      await condition(() => this.machine.settled);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(async () => {
        await condition(() => this.machine.active === 0);
        await this.end();
      });
      throw err;
    }
    const end = await this.end();
    switch (end.kind) {
      case 'continue-as-new':
        // Let update and signal handlers finish so no decision is lost.
        await condition(allHandlersFinished);
        return { kind: 'continue', carried: this.machine.carried() };
      case 'complete-run':
        return { kind: 'done', output: end.output };
      case 'fail-run':
        throw ApplicationFailure.create({ ...end.failure, nonRetryable: true });
      case 'cancel-run':
        throw new Error('a run that was not cancelled ended as cancelled');
    }
  }

  private end(): Promise<EndCommand> {
    return new Promise((resolve) => {
      this.onEnd = resolve;
      this.feed({ type: 'end' });
    });
  }

  private feed(event: EventBody): void {
    const info = workflowInfo();
    const limit = this.opts.continueAsNewAfterEvents;
    const long = info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
    this.dispatch(this.machine.handle({ ...event, at: Date.now(), long }));
  }

  // ---- commands -----------------------------------------------------------------

  private dispatch(commands: Command[]): void {
    for (const c of commands) {
      switch (c.kind) {
        case 'launched':
          this.nodeScopes?.set(c.node, new CancellationScope({ cancellable: true, parent: this.work }));
          break;
        case 'ended':
          this.nodeScopes?.delete(c.node);
          this.itemScopes.delete(c.node);
          break;
        case 'evaluate': {
          const ctx = c.index === undefined ? this.machine.context() : this.machine.context({ item: c.item, index: c.index });
          const index = c.index !== undefined ? { index: c.index } : {};
          void (c.template ? evaluateTemplate(c.expr as string, ctx) : evaluateValue(c.expr, ctx)).then(
            (value) => this.feed({ type: 'evaluated', node: c.node, step: c.step, ...index, value }),
            (err: unknown) => this.feed({ type: 'evaluation-failed', node: c.node, step: c.step, ...index, message: err instanceof Error ? err.message : String(err) }),
          );
          break;
        }
        case 'call': {
          const index = c.index !== undefined ? { index: c.index } : {};
          const done = (result: CallOutcome): void => this.feed({ type: 'activity-done', node: c.node, ...index, result });
          if (!this.machine.lean) void this.inScope(c.node, c.index, () => callActivity(c.call, c.activityId, c.input)).then(done);
          // A local call is never cancelled (see the header): it runs to its own end, and the machine takes its outcome.
          else if (modeOf(c.call) === 'local') this.localBudget.run(() => settle(CancellationScope.nonCancellable(() => startCall(c.call, c.activityId, c.input)), done));
          else settle(this.inScope(c.node, c.index, () => startCall(c.call, c.activityId, c.input)), done);
          break;
        }
        case 'timer':
          void this.inScope(c.node, undefined, () => sleep(c.ms)).then(
            () => this.feed({ type: 'timer-fired', node: c.node }),
            (err: unknown) => this.cancelledOrThrow(c.node, err),
          );
          break;
        case 'wait-decision':
          void this.inScope(c.node, undefined, () => condition(() => this.machine.hasDecision(c.node), c.ms)).then(
            (decided) => this.feed({ type: 'decision-due', node: c.node, decided }),
            (err: unknown) => this.cancelledOrThrow(c.node, err),
          );
          break;
        case 'notify': {
          const done = (result: CallOutcome): void => this.feed({ type: 'notified', node: c.node, result });
          // Notifications are remote calls (they have no mode).
          if (this.machine.lean) settle(this.inScope(c.node, undefined, () => startCall(c.call, c.activityId, c.input)), done);
          else void this.inScope(c.node, undefined, () => callActivity(c.call, c.activityId, c.input)).then(done);
          break;
        }
        case 'cancel-items':
          // Dropped as well: should the node be retried (onError: ask), its items start in a fresh scope.
          this.itemScopes.get(c.node)?.cancel();
          this.itemScopes.delete(c.node);
          break;
        case 'stop':
          if (this.nodeScopes) for (const scope of this.nodeScopes.values()) scope.cancel();
          else this.work.cancel();
          break;
        case 'log':
          log[c.level](c.message, c.attrs);
          break;
        case 'compensate': {
          // Compensations run even when the run was cancelled.
          const done = (result: CallOutcome): void => this.feed({ type: 'compensated', node: c.node, result });
          if (this.machine.lean) settle(CancellationScope.nonCancellable(() => startCall(c.call, c.activityId, c.input)), done);
          else void CancellationScope.nonCancellable(() => callActivity(c.call, c.activityId, c.input)).then(done);
          break;
        }
        default:
          this.onEnd!(c);
      }
    }
  }

  /** Runs a node's Temporal call in the scope that cancels it: its items' scope, its own (older runs), or `work`. */
  private inScope<T>(node: string, index: number | undefined, fn: () => Promise<T>): Promise<T> {
    const own = this.nodeScopes?.get(node);
    if (index !== undefined) {
      let items = this.itemScopes.get(node);
      if (!items) {
        items = new CancellationScope({ cancellable: true, parent: own ?? this.work });
        this.itemScopes.set(node, items);
      }
      return items.run(fn);
    }
    return own ? own.run(fn) : fn();
  }

  private cancelledOrThrow(node: string, err: unknown): void {
    if (!isCancellation(err)) throw err;
    this.feed({ type: 'node-cancelled', node });
  }
}
