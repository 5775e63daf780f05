/**
 * The DAG interpreter's decisions, as a pure state machine: `handle(event)`
 * updates the run's state and returns the commands the workflow shell must
 * carry out (runner.ts). No Temporal import, no clock of its own (time comes
 * in each event), no promises: a table of events in, a list of commands out.
 *
 * This file holds scheduling, one node's lifecycle and the end of the run;
 * map fan-out is in map.ts and the node policies (onError) in policy.ts.
 * docs/interpreter.md walks through the events and commands.
 */
import { parseDuration } from '../../dag/duration';
import { isTemplate, isTruthy, type ExpressionContext } from '../../dag/expressions';
import { TERMINAL_STATES, type CompiledDag, type CompiledNode } from '../../dag/types';
import type { CarriedState } from '../carry';
import { FAILURE_TYPES, type ApprovalDecision, type FailureDecision, type NodeError, type RunState, type RunStatus, type StatusQueryOptions } from '../messages';
import { evaluateTrigger } from '../triggers';
import { iso, NodeBook } from './book';
import { MapRuns } from './map';
import { Policies } from './policy';
import { Slots, type SlotRequest } from './slots';
import type { CallOutcome, Command, Outcome, RunEvent, Step } from './types';

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
  readonly slots: Slots;
  readonly wakeAt = new Map<string, number>();
  readonly approvals = new Map<string, { deadline: number; decision?: ApprovalDecision }>();
  readonly maps: MapRuns;
  readonly policies: Policies;
  /** The commands of the event being handled. */
  out: Command[] = [];
  /** The clock of the event being handled. */
  now = 0;
  private long = false;
  private compensations: CompiledNode[] = [];
  private nextCompensated = 0;
  private afterCompensation: (() => void) | undefined;

  constructor(init: MachineInit) {
    this.dag = init.dag;
    this.input = init.input;
    this.runId = init.runId;
    this.book = new NodeBook(init.dag);
    this.book.restore(init.carried, init.reuse ?? {});
    this.startedAt = init.carried?.startedAt ?? iso(init.now);
    this.generation = init.carried?.generation ?? 0;
    this.slots = new Slots(init.dag.concurrency);
    for (const [id, t] of Object.entries(init.carried?.wakeAt ?? {})) this.wakeAt.set(id, t);
    for (const [id, a] of Object.entries(init.carried?.approvals ?? {})) this.approvals.set(id, a);
    this.maps = new MapRuns(this, init.carried?.mapOutputs ?? {});
    this.policies = new Policies(this);
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
        this.activityDone(event.node, event.index, event.result);
        break;
      case 'timer-fired':
        delete this.book.get(event.node).reason;
        this.afterTime(this.node(event.node));
        break;
      case 'decision-due':
        if (this.policies.asking(event.node)) this.policies.decisionDue(this.node(event.node), event.decided);
        else this.approvalDue(this.node(event.node), event.decided);
        break;
      case 'notified':
        this.policies.notified(this.node(event.node), event.result);
        break;
      case 'node-cancelled':
        this.policies.forget(event.node);
        this.finish(this.node(event.node), this.cancelledOutcome());
        break;
      case 'approval':
        this.approvals.get(event.decision.node)!.decision = event.decision;
        break;
      case 'failure-decision':
        this.policies.record(event.decision);
        break;
      case 'cancel':
        this.cancelled = true;
        this.withdrawWaiting(() => true);
        break;
      case 'end':
        this.end();
        break;
      case 'compensated':
        this.compensated(event.node, event.result);
        break;
    }
    return this.out;
  }

  // ---- queries and message validation ---------------------------------------------

  status(opts: StatusQueryOptions = {}): RunStatus {
    return {
      dag: this.dag.name,
      hash: this.dag.hash,
      state: this.runState,
      startedAt: this.startedAt,
      generation: this.generation,
      counts: { ...this.book.counts },
      nodes: this.book.nodes(opts),
      ...(this.failure ? { error: { ...this.failure.error, node: this.failure.node } } : {}),
    };
  }

  /** Throws when the decision cannot apply, so an update is rejected with the reason. */
  validateApproval(d: ApprovalDecision): void {
    const node = this.book.byId.get(d.node);
    if (!node) throw new Error(`no node "${d.node}" in DAG ${this.dag.name}`);
    if (node.kind !== 'approval') throw new Error(`node "${d.node}" is not an approval node`);
    const state = this.book.get(d.node).state;
    if (state !== 'waiting' || !this.approvals.has(d.node)) throw new Error(`node "${d.node}" is not waiting for approval (it is ${state})`);
    if (this.approvals.get(d.node)!.decision) throw new Error(`node "${d.node}" already has a decision`);
  }

  validateFailureDecision(d: FailureDecision): void {
    if (!this.book.byId.has(d.node)) throw new Error(`no node "${d.node}" in DAG ${this.dag.name}`);
    this.policies.validate(d);
  }

  /** Whether a `wait-decision` of the node can end now. */
  hasDecision(id: string): boolean {
    return this.policies.asking(id) ? this.policies.hasDecision(id) : this.approvals.get(id)?.decision !== undefined;
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
    return {
      generation: this.generation + 1,
      startedAt: this.startedAt,
      ...this.book.carryDone(),
      mapOutputs: this.maps.carry(),
      wakeAt: Object.fromEntries(this.wakeAt),
      approvals: Object.fromEntries(this.approvals),
    };
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
    if (node.when === undefined) return this.afterWhen(node);
    const when = node.when;
    this.evaluate(node, 'when', isTemplate(when) ? when : `{{ ${when} }}`, true);
  }

  evaluate(node: CompiledNode, step: Step, expr: unknown, template: boolean, item?: { item: unknown; index: number }): void {
    this.out.push({ kind: 'evaluate', node: node.id, step, expr, template, ...(item ? { index: item.index, item: item.item } : {}) });
  }

  private evaluated(id: string, step: Step, index: number | undefined, r: { value?: unknown; message?: string }): void {
    if (step === 'output') return this.outputEvaluated(r);
    const node = this.node(id);
    if (step === 'notify') return this.policies.notifyUrl(node, r);
    if (step === 'compensate') return this.compensateInput(node, r);
    if (step === 'input' && index !== undefined) return this.maps.itemInput(node, index, r);
    if (r.message !== undefined) {
      const what = step === 'input' && index !== undefined ? `input (item ${index})` : STEP_LABEL[step];
      return this.policies.failed(node, { message: `${what} of node "${id}": ${r.message}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    }
    const value = r.value;
    switch (step) {
      case 'when':
        if (!isTruthy(value)) return this.finish(node, { state: 'skipped', reason: `condition is false: ${node.when}` });
        return this.afterWhen(node);
      case 'delay':
        return this.delayFrom(node, value);
      case 'at':
        return this.atFrom(node, value);
      case 'items':
        return this.maps.start(node, value);
      default:
        return this.requestSlot({ node: id, input: value });
    }
  }

  private afterWhen(node: CompiledNode): void {
    if (node.delay === undefined && node.at === undefined) return this.afterTime(node);
    const wake = this.wakeAt.get(node.id);
    if (wake !== undefined) return this.arm(node, wake);
    if (node.delay !== undefined) {
      if (typeof node.delay === 'number') return this.delayFrom(node, node.delay);
      return this.evaluate(node, 'delay', node.delay, true);
    }
    if (isTemplate(node.at!)) return this.evaluate(node, 'at', node.at, true);
    this.atFrom(node, node.at);
  }

  private delayFrom(node: CompiledNode, raw: unknown): void {
    const ms = typeof raw === 'number' || typeof raw === 'string' ? parseDuration(raw) : undefined;
    if (ms === undefined) return this.policies.failed(node, { message: `delay of node "${node.id}" is not a duration: ${JSON.stringify(raw)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    this.wakeAt.set(node.id, this.now + ms);
    this.arm(node, this.now + ms);
  }

  private atFrom(node: CompiledNode, raw: unknown): void {
    const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (Number.isNaN(t)) return this.policies.failed(node, { message: `at of node "${node.id}" is not a time: ${JSON.stringify(raw)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    this.wakeAt.set(node.id, t);
    this.arm(node, t);
  }

  private arm(node: CompiledNode, wake: number): void {
    const remaining = wake - this.now;
    if (remaining <= 0) return this.afterTime(node);
    // A timer in a cancelled scope is refused at once.
    if (this.halted) return this.finish(node, this.cancelledOutcome());
    this.book.get(node.id).reason = `timer until ${iso(wake)}`;
    this.out.push({ kind: 'timer', node: node.id, ms: remaining });
  }

  private afterTime(node: CompiledNode): void {
    if (node.kind === 'approval') return this.awaitApproval(node);
    if (node.map) {
      const items = node.map.items;
      if (Array.isArray(items)) return this.maps.start(node, items);
      return this.evaluate(node, 'items', items, true);
    }
    this.evaluate(node, 'input', node.call!.input ?? null, false);
  }

  private awaitApproval(node: CompiledNode): void {
    let pending = this.approvals.get(node.id);
    if (!pending) {
      pending = { deadline: this.now + node.approvalTimeoutMs! };
      this.approvals.set(node.id, pending);
    }
    if (this.halted) return this.finish(node, this.cancelledOutcome());
    this.book.get(node.id).reason = `awaiting approval until ${iso(pending.deadline)}`;
    this.out.push({ kind: 'wait-decision', node: node.id, ms: Math.max(0, pending.deadline - this.now) });
  }

  private approvalDue(node: CompiledNode, decided: boolean): void {
    delete this.book.get(node.id).reason;
    const entry = this.approvals.get(node.id)!;
    if (!decided) return this.policies.failed(node, { message: `no decision before the deadline ${iso(entry.deadline)}`, type: FAILURE_TYPES.APPROVAL_TIMED_OUT });
    const d = entry.decision!;
    if (d.decision === 'reject') return this.policies.failed(node, { message: `rejected${d.by ? ` by ${d.by}` : ''}${d.reason ? `: ${d.reason}` : ''}`, type: FAILURE_TYPES.APPROVAL_REJECTED });
    this.finish(node, { state: 'succeeded', output: { approved: true, ...(d.by ? { by: d.by } : {}), ...(d.reason ? { reason: d.reason } : {}), at: iso(this.now) } });
  }

  // ---- run-wide slots --------------------------------------------------------------

  requestSlot(req: SlotRequest): void {
    // A node whose scope is cancelled never gets as far as the call.
    if (req.index === undefined && this.halted) return this.finish(this.node(req.node), this.cancelledOutcome());
    if (this.slots.request(req)) this.granted(req);
  }

  private granted(req: SlotRequest): void {
    const node = this.node(req.node);
    if (req.index !== undefined) return this.maps.granted(node, req);
    // A call in a cancelled scope ends as cancelled without reaching the server.
    if (this.halted) {
      this.releaseSlot();
      return this.finish(node, this.cancelledOutcome());
    }
    // While draining for continue-as-new the slot is held and the call waits for the next execution.
    if (this.draining) return;
    this.book.setState(this.book.get(node.id), 'running');
    this.inFlight++;
    this.out.push({ kind: 'call', node: node.id, activityId: node.id, call: node.call!, input: req.input });
  }

  releaseSlot(): void {
    for (const req of this.slots.release()) this.granted(req);
  }

  /** Takes waiting requests out of the queue (their scope was cancelled) and ends what waited. */
  withdrawWaiting(match: (req: SlotRequest) => boolean): void {
    for (const req of this.slots.drop(match)) {
      if (req.index !== undefined) this.maps.withdrawn(this.node(req.node), req);
      else this.finish(this.node(req.node), this.cancelledOutcome());
    }
  }

  private activityDone(id: string, index: number | undefined, result: CallOutcome): void {
    this.inFlight--;
    this.releaseSlot();
    const node = this.node(id);
    if (index !== undefined) return this.maps.itemDone(node, index, result);
    if (result.kind === 'cancelled') return this.finish(node, this.cancelledOutcome());
    if (result.kind === 'failed') return this.policies.failed(node, result.error, result.attempt);
    this.finish(node, { state: 'succeeded', output: result.output, ...(result.attempt !== undefined ? { attempts: result.attempt } : {}) });
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
      this.withdrawWaiting(() => true);
      return;
    }
    if (!this.draining && this.long) {
      this.draining = true;
      this.out.push({ kind: 'log', level: 'info', message: 'history is long: finishing in-flight activities, then continuing as new', attrs: {} });
    }
    this.scheduleFrom([...this.book.dependents.get(node.id)!]);
  }

  private setTerminal(id: string, outcome: Outcome): void {
    this.book.setTerminal(id, outcome, this.now);
    this.out.push({ kind: 'ended', node: id, state: outcome.state });
  }

  private finished(): boolean {
    return this.book.terminal === this.dag.nodes.length || (this.stopping && this.active === 0);
  }

  // ---- the end of the run ------------------------------------------------------------

  private end(): void {
    if (this.cancelled) {
      this.closeRemaining('cancelled', 'the run was cancelled');
      return this.compensateThen(() => {
        this.runState = 'cancelled';
        this.out.push({ kind: 'cancel-run' });
      });
    }
    if (!this.finished()) return void this.out.push({ kind: 'continue-as-new' });
    if (this.failure || this.book.counts.failed > 0) {
      return this.compensateThen(() => {
        const failed = this.book.failed();
        this.closeRemaining('skipped', `the run failed at node ${this.failure?.node ?? failed[0]}`);
        this.runState = 'failed';
        const first = this.failure?.node ?? failed[0]!;
        const error = this.failure?.error ?? this.book.get(first).error!;
        const message = `node "${first}" failed: ${error.message}${failed.length > 1 ? ` (failed nodes: ${failed.join(', ')})` : ''}`;
        this.out.push({ kind: 'fail-run', failure: { type: FAILURE_TYPES.NODE_FAILED, message, details: [{ node: first, failedNodes: failed, error }] } });
      });
    }
    this.runState = 'succeeded';
    if (this.dag.output !== undefined) return void this.out.push({ kind: 'evaluate', node: '', step: 'output', expr: this.dag.output, template: false });
    const sinks: Record<string, unknown> = {};
    for (const n of this.dag.nodes) {
      if (this.book.dependents.get(n.id)!.length === 0 && this.book.get(n.id).state === 'succeeded') sinks[n.id] = this.book.outputs.get(n.id);
    }
    this.out.push({ kind: 'complete-run', output: sinks });
  }

  private outputEvaluated(r: { value?: unknown; message?: string }): void {
    if (r.message === undefined) return void this.out.push({ kind: 'complete-run', output: r.value });
    this.out.push({ kind: 'fail-run', failure: { type: FAILURE_TYPES.EXPRESSION_FAILED, message: `output of DAG ${this.dag.name}: ${r.message}` } });
  }

  private closeRemaining(state: 'skipped' | 'cancelled', reason: string): void {
    for (const n of this.dag.nodes) if (!TERMINAL_STATES.has(this.book.get(n.id).state)) this.setTerminal(n.id, { state, reason });
  }

  /** Saga (onFailure: compensate): compensations of succeeded nodes in reverse order, one at a time, then `then`. */
  private compensateThen(then: () => void): void {
    if (this.dag.onFailure !== 'compensate') return then();
    this.runState = 'compensating';
    this.compensations = this.dag.nodes.filter((n) => n.compensate && this.book.get(n.id).state === 'succeeded' && !this.book.get(n.id).ignoredError).reverse();
    this.afterCompensation = then;
    this.nextCompensation();
  }

  private nextCompensation(): void {
    const node = this.compensations[this.nextCompensated++];
    if (!node) return this.afterCompensation!();
    this.book.get(node.id).compensation = { state: 'running' };
    this.evaluate(node, 'compensate', node.compensate!.input ?? null, false);
  }

  private compensateInput(node: CompiledNode, r: { value?: unknown; message?: string }): void {
    if (r.message !== undefined) {
      this.book.get(node.id).compensation = { state: 'failed', error: { message: `compensate.input: ${r.message}`, type: FAILURE_TYPES.EXPRESSION_FAILED } };
      return this.nextCompensation();
    }
    this.out.push({ kind: 'compensate', node: node.id, activityId: `${node.id}/compensate`, call: node.compensate!, input: r.value });
  }

  private compensated(id: string, result: CallOutcome): void {
    const s = this.book.get(id);
    s.compensation = result.kind === 'ok' ? { state: 'succeeded' } : { state: 'failed', error: result.kind === 'failed' ? result.error : { message: 'cancelled' } };
    if (result.kind !== 'ok') this.out.push({ kind: 'log', level: 'warn', message: 'compensation failed; continuing with the rest', attrs: { node: id } });
    this.nextCompensation();
  }
}
