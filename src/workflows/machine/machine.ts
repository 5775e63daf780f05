/**
 * The DAG interpreter's decisions, as a pure state machine: `handle(event)`
 * updates the run's state and returns the commands the workflow shell must
 * carry out (runner.ts). No Temporal import, no clock of its own (time comes
 * in each event), no promises: a table of events in, a list of commands out.
 *
 * This file holds the event switch, scheduling, one node's steps and how a
 * node ends. The rest is in files of their own: timers and approvals
 * (waits.ts), onError (policy.ts), map fan-out (map.ts), calls under the
 * run-wide limit (calls.ts, slots.ts), the end of the run and the saga (ending.ts), statuses (book.ts).
 * docs/interpreter.md walks through the events and commands.
 */
import { isTemplate, isTruthy, type ExpressionContext } from '../../dag/expressions';
import type { CompiledDag, CompiledNode } from '../../dag/types';
import type { CarriedState } from '../carry';
import { FAILURE_TYPES, type ApprovalDecision, type FailureDecision, type NodeError, type RunState, type RunStatus, type StatusQueryOptions } from '../messages';
import { evaluateTrigger } from '../triggers';
import { iso, NodeBook } from './book';
import { Calls } from './calls';
import { RunEnd } from './ending';
import { MapRuns } from './map';
import { Policies } from './policy';
import type { Command, Outcome, RunEvent, Step } from './types';
import { carriedOf, statusOf } from './views';
import { Waits } from './waits';

export interface MachineInit {
  dag: CompiledDag;
  input: unknown;
  /** The workflow id: `run.id` in expressions, and the prefix of idempotency keys. */
  runId: string;
  /** Workflow clock at the start of this execution (ms). */
  now: number;
  reuse?: Record<string, unknown>;
  carried?: CarriedState;
}

/** Whether a JSON value holds a template anywhere (stops at the first). */
function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

const STEP_LABEL: Record<Step, string> = { when: 'when', delay: 'delay', at: 'at', items: 'map.items', input: 'input', notify: 'notify.url', compensate: 'compensate.input', output: 'output' };

export class RunMachine {
  readonly book: NodeBook;
  readonly dag: CompiledDag;
  readonly input: unknown;
  readonly runId: string;
  readonly startedAt: string;
  readonly generation: number;
  /** Nodes launched and not yet ended. */
  active = 0;
  /** Activity calls holding a run-wide slot and started (not held for continue-as-new). */
  inFlight = 0;
  stopping = false;
  draining = false;
  cancelled = false;
  failure?: { node: string; error: NodeError };
  runState: RunState = 'running';
  readonly calls: Calls;
  readonly waits: Waits;
  readonly maps: MapRuns;
  readonly policies: Policies;
  private readonly ending: RunEnd;
  /**
   * Runs that recorded `weft-lean-calls` (runner.ts): a node whose input has
   * no template calls its activity at once, without an `evaluate` round, and
   * calls may run as local activities. Set by the shell before `start`.
   */
  lean = false;
  /** Per node: its activity input holds no template (computed once). */
  private readonly literalInput = new Map<string, boolean>();
  /** The commands of the event being handled. */
  out: Command[] = [];
  /** The clock of the event being handled. */
  now = 0;
  private long = false;

  constructor(init: MachineInit) {
    this.dag = init.dag;
    this.input = init.input;
    this.runId = init.runId;
    this.book = new NodeBook(init.dag);
    this.book.restore(init.carried, init.reuse ?? {});
    this.startedAt = init.carried?.startedAt ?? iso(init.now);
    this.generation = init.carried?.generation ?? 0;
    this.calls = new Calls(this, init.dag.concurrency);
    this.waits = new Waits(this, init.carried ?? {});
    this.maps = new MapRuns(this, init.carried?.mapOutputs ?? {});
    this.policies = new Policies(this);
    this.ending = new RunEnd(this);
  }

  // ---- the one entry point ------------------------------------------------------

  handle(event: RunEvent): Command[] {
    this.out = [];
    this.now = event.at;
    this.long = event.long ?? false;
    switch (event.type) {
      case 'start':
        this.scheduleFrom(this.dag.nodes.map((n) => n.id));
        break;
      case 'evaluated':
        this.evaluated(event.node, event.step, event.index, { value: event.value });
        break;
      case 'evaluation-failed':
        this.evaluated(event.node, event.step, event.index, { message: event.message });
        break;
      case 'activity-done':
        this.calls.done(this.node(event.node), event.index, event.result);
        break;
      case 'timer-fired':
        this.waits.fired(this.node(event.node));
        break;
      case 'decision-due':
        if (this.policies.asking(event.node)) this.policies.decisionDue(this.node(event.node), event.decided);
        else this.waits.approvalDue(this.node(event.node), event.decided);
        break;
      case 'notified':
        this.policies.notified(this.node(event.node), event.result);
        break;
      case 'node-cancelled':
        this.policies.forget(event.node);
        this.finish(this.node(event.node), this.cancelledOutcome());
        break;
      case 'approval':
        this.waits.record(event.decision);
        break;
      case 'failure-decision':
        this.policies.record(event.decision);
        break;
      case 'cancel':
        this.cancelled = true;
        this.calls.withdrawWaiting(() => true);
        break;
      case 'end':
        this.ending.end(this.finished());
        break;
      case 'compensated':
        this.ending.compensated(event.node, event.result);
        break;
    }
    return this.out;
  }

  // ---- queries and message validation ---------------------------------------------

  status(opts: StatusQueryOptions = {}): RunStatus {
    return statusOf(this, opts);
  }

  /** Throws when the decision cannot apply, so an update is rejected with the reason. */
  validateApproval(d: ApprovalDecision): void {
    this.waits.validate(d);
  }

  validateFailureDecision(d: FailureDecision): void {
    if (!this.book.byId.has(d.node)) throw new Error(`no node "${d.node}" in DAG ${this.dag.name}`);
    this.policies.validate(d);
  }

  /** Whether a `wait-decision` of the node can end now. */
  hasDecision(id: string): boolean {
    return this.policies.asking(id) ? this.policies.hasDecision(id) : this.waits.hasDecision(id);
  }

  /** The run can end (or continue as new): the shell then sends `end`. */
  get settled(): boolean {
    return this.finished() || (this.draining && this.inFlight === 0);
  }

  context(extra: Partial<ExpressionContext> = {}): ExpressionContext {
    return { input: this.input, nodes: this.book.ctxNodes, run: { id: this.runId }, ...extra };
  }

  /** What the next execution needs after continue-as-new. */
  carried(): CarriedState {
    return carriedOf(this);
  }

  // ---- scheduling ------------------------------------------------------------------

  node(id: string): CompiledNode {
    return this.book.byId.get(id)!;
  }

  /** Whether work of this node must not start: what the old per-node cancellation scope expressed. */
  get halted(): boolean {
    return this.cancelled || this.stopping;
  }

  /** Decides, for each candidate, to start it, skip it (and go on downstream), or leave it. */
  private scheduleFrom(candidates: string[]): void {
    const queue = candidates;
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      const s = this.book.get(id);
      if (s.state !== 'pending' || this.stopping) continue;
      const node = this.node(id);
      const decision = evaluateTrigger(node.trigger, this.book.upstream.get(id)!);
      if (decision.action === 'wait') continue;
      if (decision.action === 'skip') {
        this.setTerminal(id, { state: 'skipped', reason: decision.reason });
        for (const d of this.book.dependents.get(id)!) queue.push(d);
        continue;
      }
      this.launch(node);
    }
  }

  private launch(node: CompiledNode): void {
    const s = this.book.get(node.id);
    this.book.setState(s, 'waiting');
    s.startedAt = iso(this.now);
    this.active++;
    this.out.push({ kind: 'launched', node: node.id });
    this.begin(node);
  }

  /** The node's first step; again after `retry` on a failure decision. */
  begin(node: CompiledNode): void {
    if (node.when === undefined) return this.waits.time(node);
    const when = node.when;
    this.evaluate(node, 'when', isTemplate(when) ? when : `{{ ${when} }}`, true);
  }

  evaluate(node: CompiledNode, step: Step, expr: unknown, template: boolean, item?: { item: unknown; index: number }): void {
    this.out.push({ kind: 'evaluate', node: node.id, step, expr, template, ...(item ? { index: item.index, item: item.item } : {}) });
  }

  private evaluated(id: string, step: Step, index: number | undefined, r: { value?: unknown; message?: string }): void {
    if (step === 'output') return this.ending.outputEvaluated(r);
    const node = this.node(id);
    if (step === 'notify') return this.policies.notifyUrl(node, r);
    if (step === 'compensate') return this.ending.compensateInput(node, r);
    if (step === 'input' && index !== undefined) return this.maps.itemInput(node, index, r);
    if (r.message !== undefined) return this.policies.failed(node, { message: `${STEP_LABEL[step]} of node "${id}": ${r.message}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    const value = r.value;
    switch (step) {
      case 'when':
        if (!isTruthy(value)) return this.finish(node, { state: 'skipped', reason: `condition is false: ${node.when}` });
        return this.waits.time(node);
      case 'delay':
        return this.waits.delayFrom(node, value);
      case 'at':
        return this.waits.atFrom(node, value);
      case 'items':
        return this.maps.start(node, value);
      default:
        return this.calls.request({ node: id, input: value });
    }
  }

  /** After `when` and any timer: the node's work. */
  afterTime(node: CompiledNode): void {
    if (node.kind === 'approval') return this.waits.awaitApproval(node);
    if (node.map) {
      const items = node.map.items;
      if (Array.isArray(items)) return this.maps.start(node, items);
      return this.evaluate(node, 'items', items, true);
    }
    const input = node.call!.input ?? null;
    if (this.lean && this.isLiteral(node.id, input)) return this.calls.request({ node: node.id, input });
    this.evaluate(node, 'input', input, false);
  }

  private isLiteral(id: string, input: unknown): boolean {
    let literal = this.literalInput.get(id);
    if (literal === undefined) {
      literal = !hasTemplate(input);
      this.literalInput.set(id, literal);
    }
    return literal;
  }

  // ---- how a node ends ---------------------------------------------------------------

  cancelledOutcome(): Outcome {
    return { state: 'cancelled', reason: this.stopping ? `cancelled because node ${this.failure?.node ?? '?'} failed` : 'the run was cancelled' };
  }

  /** A launched node ended: record it, apply the run's failure policy, and go on downstream. */
  finish(node: CompiledNode, outcome: Outcome): void {
    this.active--;
    if (outcome.state === 'failed' && node.onError === 'ignore') {
      outcome = { state: 'succeeded', output: null, ignoredError: outcome.error, ...(outcome.attempts !== undefined ? { attempts: outcome.attempts } : {}) };
    }
    this.setTerminal(node.id, outcome);
    // A cancelled run starts nothing new; what is left is marked cancelled.
    if (this.cancelled) return;
    if (outcome.state === 'failed' && this.dag.onFailure !== 'continue' && !this.failure) {
      this.failure = { node: node.id, error: outcome.error };
      this.stopping = true;
      this.out.push({ kind: 'stop' });
      this.calls.withdrawWaiting(() => true);
      return;
    }
    if (!this.draining && this.long) {
      this.draining = true;
      this.out.push({ kind: 'log', level: 'info', message: 'history is long: finishing in-flight activities, then continuing as new', attrs: {} });
    }
    this.scheduleFrom([...this.book.dependents.get(node.id)!]);
  }

  setTerminal(id: string, outcome: Outcome): void {
    this.book.setTerminal(id, outcome, this.now);
    this.out.push({ kind: 'ended', node: id, state: outcome.state });
  }

  finished(): boolean {
    return this.book.terminal === this.dag.nodes.length || (this.stopping && this.active === 0);
  }
}
