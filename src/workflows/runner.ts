/**
 * The DAG interpreter's state machine. It starts every node whose trigger rule
 * holds in the activation where it comes to hold, keeps at most `concurrency`
 * activities in flight, applies the run's failure policy, and hands its state
 * to the next run when history grows long (continue-as-new).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { parseDuration } from '../dag/duration';
import { evaluateTemplate, evaluateValue, isTemplate, isTruthy, type ExpressionContext } from '../dag/expressions';
import { TERMINAL_STATES, type CompiledDag, type CompiledNode, type NodeState } from '../dag/types';
import { callActivity, type CallOutcome } from './activity-call';
import { FAILURE_TYPES, type ApprovalDecision, type FailureDecision, type NodeError, type NodeStatus, type RunState, type RunStatus, type StatusQueryOptions } from './messages';
import { Semaphore } from './semaphore';
import { compact, expand, type CarriedState } from './carry';
import { NodeFailed, type Outcome } from './outcome';

export type { CarriedState } from './carry';
import { evaluateTrigger } from './triggers';

export interface RunnerOptions {
  /** Continue-as-new once history has this many events, even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
}

/** Failure notifications: a few quick tries; a broken webhook must not hold the run. */
const NOTIFY_RETRY = { maximumAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 10_000, nonRetryableErrorTypes: [] as string[] };

function nowIso(): string {
  return new Date().toISOString();
}

export class DagRunner {
  private readonly byId = new Map<string, CompiledNode>();
  private readonly order = new Map<string, number>();
  private readonly dependents = new Map<string, string[]>();
  private readonly status = new Map<string, NodeStatus>();
  private readonly outputs = new Map<string, unknown>();
  /** Live `nodes` object of the expression context; updated as nodes finish. */
  private readonly ctxNodes: ExpressionContext['nodes'] = {};
  private readonly slots: Semaphore;
  private readonly scopes = new Map<string, CancellationScope>();
  private readonly mapOutputs = new Map<string, Map<number, unknown>>();
  private readonly wakeAt = new Map<string, number>();
  private readonly approvals = new Map<string, { deadline: number; decision?: ApprovalDecision }>();
  /** Nodes with onError: ask that failed and wait for a person. */
  private readonly asks = new Map<string, { deadline: number; decision?: FailureDecision }>();
  private terminal = 0;
  private active = 0;
  private activitiesInFlight = 0;
  private stopping = false;
  private draining = false;
  private failure?: { node: string; error: NodeError };
  private runState: RunState = 'running';
  private rootScope?: CancellationScope;
  private readonly startedAt: string;
  private readonly generation: number;

  constructor(
    private readonly dag: CompiledDag,
    private readonly input: unknown,
    private readonly opts: RunnerOptions = {},
    reuse: Record<string, unknown> = {},
    carried?: CarriedState,
  ) {
    this.slots = new Semaphore(dag.concurrency);
    this.startedAt = carried?.startedAt ?? nowIso();
    this.generation = carried?.generation ?? 0;
    dag.nodes.forEach((n, i) => {
      this.byId.set(n.id, n);
      this.order.set(n.id, i);
      this.dependents.set(n.id, []);
      this.status.set(n.id, { id: n.id, state: 'pending' });
    });
    for (const n of dag.nodes) for (const dep of n.after) this.dependents.get(dep)!.push(n.id);
    for (const [id, c] of Object.entries(carried?.done ?? {})) {
      this.status.set(id, expand(id, c));
      this.record(id, c[0], carried?.outputs[id] ?? null);
    }
    for (const [id, output] of Object.entries(reuse)) {
      if (!this.byId.has(id) || TERMINAL_STATES.has(this.status.get(id)!.state)) continue;
      this.status.set(id, { id, state: 'succeeded', reused: true });
      this.record(id, 'succeeded', output);
    }
    for (const [id, batches] of Object.entries(carried?.mapOutputs ?? {})) {
      this.mapOutputs.set(id, new Map(Object.entries(batches).map(([k, v]) => [Number(k), v])));
    }
    for (const [id, t] of Object.entries(carried?.wakeAt ?? {})) this.wakeAt.set(id, t);
    for (const [id, a] of Object.entries(carried?.approvals ?? {})) this.approvals.set(id, a);
    for (const st of this.status.values()) if (TERMINAL_STATES.has(st.state)) this.terminal++;
  }

  // ---- messages -------------------------------------------------------------

  getStatus(opts: StatusQueryOptions = {}): RunStatus {
    const counts: Record<NodeState, number> = { pending: 0, waiting: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
    const nodes: NodeStatus[] = [];
    for (const n of this.dag.nodes) {
      const s = this.status.get(n.id)!;
      counts[s.state]++;
      nodes.push(opts.outputs && this.outputs.has(n.id) ? { ...s, output: this.outputs.get(n.id) } : { ...s });
    }
    return {
      dag: this.dag.name,
      hash: this.dag.hash,
      state: this.runState,
      startedAt: this.startedAt,
      generation: this.generation,
      counts,
      nodes,
      ...(this.failure ? { error: { ...this.failure.error, node: this.failure.node } } : {}),
    };
  }

  /** Throws when the decision cannot apply, so an update is rejected with the reason. */
  validateDecision(d: ApprovalDecision): void {
    const node = this.byId.get(d.node);
    if (!node) throw new Error(`no node "${d.node}" in DAG ${this.dag.name}`);
    if (node.kind !== 'approval') throw new Error(`node "${d.node}" is not an approval node`);
    const state = this.status.get(d.node)!.state;
    if (state !== 'waiting' || !this.approvals.has(d.node)) throw new Error(`node "${d.node}" is not waiting for approval (it is ${state})`);
    if (this.approvals.get(d.node)!.decision) throw new Error(`node "${d.node}" already has a decision`);
  }

  decide(d: ApprovalDecision): void {
    this.approvals.get(d.node)!.decision = d;
  }

  // ---- the run ----------------------------------------------------------------

  /** Runs to the end: returns the run output, or throws the run's failure. */
  async run(): Promise<{ kind: 'done'; output: unknown } | { kind: 'continue'; carried: CarriedState }> {
    this.rootScope = CancellationScope.current();
    try {
      this.scheduleFrom(this.dag.nodes.map((n) => n.id));
      await condition(() => this.finished() || (this.draining && this.activitiesInFlight === 0));
      if (!this.finished()) return { kind: 'continue', carried: await this.carry() };
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await CancellationScope.nonCancellable(async () => {
        await condition(() => this.active === 0);
        this.closeRemaining('cancelled', 'the run was cancelled');
        if (this.dag.onFailure === 'compensate') await this.compensate();
        this.runState = 'cancelled';
      });
      throw err;
    }
    if (this.failure || this.anyFailed()) {
      if (this.dag.onFailure === 'compensate') await this.compensate();
      this.closeRemaining('skipped', `the run failed at node ${this.failure?.node ?? this.firstFailed()}`);
      this.runState = 'failed';
      throw this.runFailure();
    }
    this.runState = 'succeeded';
    return { kind: 'done', output: await this.runOutput() };
  }

  get state(): RunState {
    return this.runState;
  }

  private finished(): boolean {
    return this.terminal === this.dag.nodes.length || (this.stopping && this.active === 0);
  }

  private anyFailed(): boolean {
    for (const s of this.status.values()) if (s.state === 'failed') return true;
    return false;
  }

  private firstFailed(): string | undefined {
    return this.dag.nodes.find((n) => this.status.get(n.id)!.state === 'failed')?.id;
  }

  private runFailure(): ApplicationFailure {
    const failed = this.dag.nodes.filter((n) => this.status.get(n.id)!.state === 'failed').map((n) => n.id);
    const first = this.failure?.node ?? failed[0]!;
    const error = this.failure?.error ?? this.status.get(first)!.error!;
    return ApplicationFailure.create({
      type: FAILURE_TYPES.NODE_FAILED,
      message: `node "${first}" failed: ${error.message}${failed.length > 1 ? ` (failed nodes: ${failed.join(', ')})` : ''}`,
      nonRetryable: true,
      details: [{ node: first, failedNodes: failed, error }],
    });
  }

  private closeRemaining(state: 'skipped' | 'cancelled', reason: string): void {
    for (const n of this.dag.nodes) {
      const s = this.status.get(n.id)!;
      if (!TERMINAL_STATES.has(s.state)) this.setTerminal(n.id, { state, reason });
    }
  }

  // ---- scheduling -------------------------------------------------------------

  /** Decides, for each candidate, to start it, skip it (and go on downstream), or leave it. */
  private scheduleFrom(candidates: Iterable<string>): void {
    const queue = [...candidates];
    while (queue.length > 0) {
      const id = queue.shift()!;
      const s = this.status.get(id)!;
      if (s.state !== 'pending' || this.stopping) continue;
      const node = this.byId.get(id)!;
      const decision = evaluateTrigger(node.trigger, node.after.map((d) => this.status.get(d)!.state));
      if (decision.action === 'wait') continue;
      if (decision.action === 'skip') {
        this.setTerminal(id, { state: 'skipped', reason: decision.reason });
        queue.push(...this.dependents.get(id)!);
        continue;
      }
      this.launch(node);
    }
  }

  private launch(node: CompiledNode): void {
    const s = this.status.get(node.id)!;
    s.state = 'waiting';
    s.startedAt = nowIso();
    this.active++;
    const scope = new CancellationScope();
    this.scopes.set(node.id, scope);
    void scope
      .run(() => this.executeWithPolicy(node))
      .catch((err: unknown): Outcome => {
        if (isCancellation(err)) return this.cancelled();
        if (err instanceof NodeFailed) return { state: 'failed', error: err.error, ...(err.attempts !== undefined ? { attempts: err.attempts } : {}) };
        return { state: 'failed', error: { message: err instanceof Error ? err.message : String(err), type: err instanceof ApplicationFailure ? err.type ?? undefined : undefined } };
      })
      .then((outcome) => {
        this.active--;
        this.scopes.delete(node.id);
        this.complete(node, outcome);
      });
  }

  private cancelled(): Outcome {
    return { state: 'cancelled', reason: this.stopping ? `cancelled because node ${this.failure?.node ?? '?'} failed` : 'the run was cancelled' };
  }

  private complete(node: CompiledNode, outcome: Outcome): void {
    if (outcome.state === 'failed' && node.onError === 'ignore') {
      outcome = { state: 'succeeded', output: null, ignoredError: outcome.error, ...(outcome.attempts !== undefined ? { attempts: outcome.attempts } : {}) };
    }
    this.setTerminal(node.id, outcome);
    // A cancelled run starts nothing new; what is left is marked cancelled.
    if (this.rootScope?.consideredCancelled) return;
    if (outcome.state === 'failed' && this.dag.onFailure !== 'continue' && !this.failure) {
      this.failure = { node: node.id, error: outcome.error };
      this.stopping = true;
      for (const scope of this.scopes.values()) scope.cancel();
      return;
    }
    this.checkHistory();
    this.scheduleFrom(this.dependents.get(node.id)!);
  }

  private setTerminal(id: string, outcome: Outcome): void {
    const s = this.status.get(id)!;
    const prev = s.state;
    s.state = outcome.state;
    s.endedAt = nowIso();
    delete s.progress;
    if (outcome.state === 'succeeded') {
      if (outcome.attempts !== undefined) s.attempts = outcome.attempts;
      if (outcome.ignoredError) {
        s.error = outcome.ignoredError;
        s.ignoredError = true;
      }
      this.record(id, 'succeeded', outcome.output);
    } else if (outcome.state === 'failed') {
      s.error = outcome.error;
      if (outcome.attempts !== undefined) s.attempts = outcome.attempts;
      this.record(id, 'failed', null);
    } else {
      s.reason = outcome.reason;
      this.record(id, outcome.state, null);
    }
    if (!TERMINAL_STATES.has(prev)) this.terminal++;
  }

  private record(id: string, state: NodeState, output: unknown): void {
    this.outputs.set(id, output);
    this.ctxNodes[id] = { output, state };
  }

  private checkHistory(): void {
    if (this.draining) return;
    const info = workflowInfo();
    const limit = this.opts.continueAsNewAfterEvents;
    if (info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit)) {
      log.info('history is long: finishing in-flight activities, then continuing as new', { historyLength: info.historyLength });
      this.draining = true;
    }
  }

  // ---- one node ---------------------------------------------------------------

  private context(extra: Partial<ExpressionContext> = {}): ExpressionContext {
    return { input: this.input, nodes: this.ctxNodes, run: { id: workflowInfo().workflowId }, ...extra };
  }

  private async evaluate<T>(node: CompiledNode, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isCancellation(err)) throw err;
      throw new NodeFailed({ message: `${what} of node "${node.id}": ${err instanceof Error ? err.message : String(err)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    }
  }

  private async execute(node: CompiledNode): Promise<Outcome> {
    const s = this.status.get(node.id)!;
    if (node.when !== undefined) {
      const when = node.when;
      const value = await this.evaluate(node, 'when', () => (isTemplate(when) ? evaluateTemplate(when, this.context()) : evaluateTemplate(`{{ ${when} }}`, this.context())));
      if (!isTruthy(value)) return { state: 'skipped', reason: `condition is false: ${when}` };
    }
    await this.waitForTime(node, s);
    if (node.kind === 'approval') return this.awaitApproval(node, s);
    if (node.map) return this.runMap(node, s);
    const input = await this.evaluate(node, 'input', () => evaluateValue(node.call!.input ?? null, this.context()));
    const result = await this.callWithSlot(node.call!, node.id, input, s);
    if (result.kind === 'cancelled') return this.cancelled();
    if (result.kind === 'failed') throw new NodeFailed(result.error, result.attempt);
    return { state: 'succeeded', output: result.output, ...(result.attempt !== undefined ? { attempts: result.attempt } : {}) };
  }

  /** Runs the node; once its retries are spent, applies its onError policy. */
  private async executeWithPolicy(node: CompiledNode): Promise<Outcome> {
    for (;;) {
      try {
        return await this.execute(node);
      } catch (err) {
        if (!(err instanceof NodeFailed) || node.onError === 'fail' || node.onError === 'ignore') throw err;
        if (node.onError === 'notify') {
          await this.notifyFailure(node, err);
          if (node.notify?.then === 'continue') return { state: 'succeeded', output: null, ignoredError: err.error, ...(err.attempts !== undefined ? { attempts: err.attempts } : {}) };
          throw err;
        }
        const decision = await this.askForDecision(node, err);
        if (decision.action === 'retry') {
          this.status.get(node.id)!.state = 'waiting';
          continue;
        }
        if (decision.action === 'skip') return { state: 'skipped', reason: `skipped${decision.by ? ` by ${decision.by}` : ''} after failing: ${err.error.message}` };
        throw new NodeFailed({ message: `aborted${decision.by ? ` by ${decision.by}` : ''} after failing: ${err.error.message}`, type: FAILURE_TYPES.FAILURE_ABORTED }, err.attempts);
      }
    }
  }

  /** onError: notify — posts the failure to the node's webhook (built-in notify.webhook). */
  private async notifyFailure(node: CompiledNode, failure: NodeFailed): Promise<void> {
    const spec = node.notify!;
    let url: unknown;
    try {
      url = await evaluateTemplate(spec.url, this.context());
    } catch (err) {
      log.warn('notify.url did not evaluate; failure not notified', { node: node.id, error: String(err) });
      return;
    }
    const info = workflowInfo();
    const result = await callActivity(
      { activity: 'notify.webhook', retry: { ...NOTIFY_RETRY }, timeouts: { startToCloseMs: 30_000 } },
      `${node.id}/notify`,
      {
        url,
        ...(spec.headers ? { headers: spec.headers } : {}),
        body: { event: 'node.failed', run: info.workflowId, dag: this.dag.name, node: node.id, error: failure.error, attempts: failure.attempts ?? null, at: nowIso() },
      },
    );
    if (result.kind === 'failed') log.warn('failure notification failed', { node: node.id, error: result.error.message });
  }

  /** onError: ask — waits for retry, skip or abort (resolveFailure update) until askTimeout. */
  private async askForDecision(node: CompiledNode, failure: NodeFailed): Promise<FailureDecision> {
    const s = this.status.get(node.id)!;
    const deadline = Date.now() + (node.askTimeoutMs ?? 0);
    const entry: { deadline: number; decision?: FailureDecision } = { deadline };
    this.asks.set(node.id, entry);
    s.state = 'waiting';
    s.error = failure.error;
    if (failure.attempts !== undefined) s.attempts = failure.attempts;
    s.reason = `failed; awaiting a decision (retry, skip or abort) until ${new Date(deadline).toISOString()}`;
    try {
      const decided = await condition(() => entry.decision !== undefined, Math.max(0, deadline - Date.now()));
      if (!decided) return { node: node.id, action: 'abort', by: 'deadline' };
      return entry.decision!;
    } finally {
      this.asks.delete(node.id);
      delete s.reason;
      delete s.error;
    }
  }

  validateFailureDecision(d: FailureDecision): void {
    if (!this.byId.has(d.node)) throw new Error(`no node "${d.node}" in DAG ${this.dag.name}`);
    const entry = this.asks.get(d.node);
    if (!entry) throw new Error(`node "${d.node}" is not waiting for a decision (it is ${this.status.get(d.node)!.state})`);
    if (entry.decision) throw new Error(`node "${d.node}" already has a decision`);
  }

  resolveFailure(d: FailureDecision): void {
    this.asks.get(d.node)!.decision = d;
  }

  private async waitForTime(node: CompiledNode, s: NodeStatus): Promise<void> {
    if (node.delay === undefined && node.at === undefined) return;
    let wake = this.wakeAt.get(node.id);
    if (wake === undefined) {
      if (node.delay !== undefined) {
        const d = node.delay;
        const raw = typeof d === 'number' ? d : await this.evaluate(node, 'delay', () => evaluateTemplate(d, this.context()));
        const ms = typeof raw === 'number' || typeof raw === 'string' ? parseDuration(raw) : undefined;
        if (ms === undefined) throw new NodeFailed({ message: `delay of node "${node.id}" is not a duration: ${JSON.stringify(raw)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
        wake = Date.now() + ms;
      } else {
        const at = node.at!;
        const raw = isTemplate(at) ? await this.evaluate(node, 'at', () => evaluateTemplate(at, this.context())) : at;
        const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
        if (Number.isNaN(t)) throw new NodeFailed({ message: `at of node "${node.id}" is not a time: ${JSON.stringify(raw)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
        wake = t;
      }
      this.wakeAt.set(node.id, wake);
    }
    const remaining = wake - Date.now();
    if (remaining > 0) {
      s.reason = `timer until ${new Date(wake).toISOString()}`;
      await sleep(remaining);
      delete s.reason;
    }
  }

  private async awaitApproval(node: CompiledNode, s: NodeStatus): Promise<Outcome> {
    let pending = this.approvals.get(node.id);
    if (!pending) {
      pending = { deadline: Date.now() + node.approvalTimeoutMs! };
      this.approvals.set(node.id, pending);
    }
    s.reason = `awaiting approval until ${new Date(pending.deadline).toISOString()}`;
    const entry = pending;
    const decided = await condition(() => entry.decision !== undefined, Math.max(0, entry.deadline - Date.now()));
    delete s.reason;
    if (!decided) {
      throw new NodeFailed({ message: `no decision before the deadline ${new Date(entry.deadline).toISOString()}`, type: FAILURE_TYPES.APPROVAL_TIMED_OUT });
    }
    const d = entry.decision!;
    if (d.decision === 'reject') {
      throw new NodeFailed({ message: `rejected${d.by ? ` by ${d.by}` : ''}${d.reason ? `: ${d.reason}` : ''}`, type: FAILURE_TYPES.APPROVAL_REJECTED });
    }
    return { state: 'succeeded', output: { approved: true, ...(d.by ? { by: d.by } : {}), ...(d.reason ? { reason: d.reason } : {}), at: nowIso() } };
  }

  /** Holds a run-wide slot for the activity call; pauses while draining for continue-as-new. */
  private async callWithSlot(call: NonNullable<CompiledNode['call']>, activityId: string, input: unknown, s: NodeStatus): Promise<CallOutcome> {
    await this.slots.acquire();
    try {
      if (this.draining) await condition(() => !this.draining);
      s.state = 'running';
      this.activitiesInFlight++;
      try {
        return await callActivity(call, activityId, input);
      } finally {
        this.activitiesInFlight--;
      }
    } finally {
      this.slots.release();
    }
  }

  private async runMap(node: CompiledNode, s: NodeStatus): Promise<Outcome> {
    const map = node.map!;
    const items = Array.isArray(map.items) ? map.items : await this.evaluate(node, 'map.items', () => evaluateTemplate(map.items as string, this.context()));
    if (!Array.isArray(items)) {
      throw new NodeFailed({ message: `map.items of node "${node.id}" must be a list, got ${items === null ? 'null' : typeof items}`, type: FAILURE_TYPES.BAD_MAP_ITEMS });
    }
    const batches: unknown[][] = [];
    for (let i = 0; i < items.length; i += map.batchSize) batches.push(items.slice(i, i + map.batchSize));
    const done = this.mapOutputs.get(node.id) ?? new Map<number, unknown>();
    this.mapOutputs.set(node.id, done);
    const counts = { total: batches.length, succeeded: done.size, failed: 0, running: 0 };
    s.items = counts;
    const local = new Semaphore(map.concurrency);
    let firstError: { error: NodeError; attempt?: number } | undefined;
    let lastAttempt: number | undefined;
    const itemsScope = new CancellationScope();
    await itemsScope.run(() =>
      Promise.all(
        batches.map(async (batch, index) => {
          if (done.has(index)) return;
          await local.acquire();
          try {
            if (firstError) return;
            const item = map.batchSize === 1 ? batch[0] : batch;
            const input = await this.evaluate(node, `input (item ${index})`, () => evaluateValue(node.call!.input ?? null, this.context({ item, index })));
            counts.running++;
            let result: CallOutcome;
            try {
              result = await this.callWithSlot(node.call!, `${node.id}/${index}`, input, s);
            } finally {
              counts.running--;
            }
            if (result.kind === 'ok') {
              done.set(index, result.output);
              counts.succeeded++;
              if (result.attempt !== undefined) lastAttempt = result.attempt;
            } else if (result.kind === 'failed') {
              counts.failed++;
              if (!firstError) {
                firstError = { error: { ...result.error, message: `item ${index}: ${result.error.message}` }, ...(result.attempt !== undefined ? { attempt: result.attempt } : {}) };
                itemsScope.cancel();
              }
            }
          } finally {
            local.release();
          }
        }),
      ).catch((err: unknown) => {
        // Our own cancel after a failed item is expected; anything else is not.
        if (!(firstError && isCancellation(err))) throw err;
      }),
    );
    if (firstError) throw new NodeFailed(firstError.error, firstError.attempt);
    this.mapOutputs.delete(node.id);
    return { state: 'succeeded', output: batches.map((_, i) => done.get(i)), ...(lastAttempt !== undefined ? { attempts: lastAttempt } : {}) };
  }

  // ---- compensation, output, continue-as-new -------------------------------------

  /** Saga: compensations of succeeded nodes, in reverse topological order, one at a time. */
  private async compensate(): Promise<void> {
    this.runState = 'compensating';
    const done = this.dag.nodes.filter((n) => n.compensate && this.status.get(n.id)!.state === 'succeeded' && !this.status.get(n.id)!.ignoredError).reverse();
    await CancellationScope.nonCancellable(async () => {
      for (const node of done) {
        const s = this.status.get(node.id)!;
        s.compensation = { state: 'running' };
        let input: unknown;
        try {
          input = await evaluateValue(node.compensate!.input ?? null, this.context());
        } catch (err) {
          s.compensation = { state: 'failed', error: { message: `compensate.input: ${err instanceof Error ? err.message : String(err)}`, type: FAILURE_TYPES.EXPRESSION_FAILED } };
          continue;
        }
        const result = await callActivity(node.compensate!, `${node.id}/compensate`, input);
        s.compensation = result.kind === 'ok' ? { state: 'succeeded' } : { state: 'failed', error: result.kind === 'failed' ? result.error : { message: 'cancelled' } };
        if (result.kind !== 'ok') log.warn('compensation failed; continuing with the rest', { node: node.id });
      }
    });
  }

  private async runOutput(): Promise<unknown> {
    if (this.dag.output !== undefined) {
      try {
        return await evaluateValue(this.dag.output, this.context());
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`output of DAG ${this.dag.name}: ${err instanceof Error ? err.message : String(err)}`, FAILURE_TYPES.EXPRESSION_FAILED);
      }
    }
    const sinks: Record<string, unknown> = {};
    for (const n of this.dag.nodes) {
      if (this.dependents.get(n.id)!.length === 0 && this.status.get(n.id)!.state === 'succeeded') sinks[n.id] = this.outputs.get(n.id);
    }
    return sinks;
  }

  private async carry(): Promise<CarriedState> {
    // Let update and signal handlers finish so no decision is lost.
    await condition(allHandlersFinished);
    const done: CarriedState['done'] = {};
    const outputs: CarriedState['outputs'] = {};
    for (const n of this.dag.nodes) {
      const s = this.status.get(n.id)!;
      if (!TERMINAL_STATES.has(s.state)) continue;
      done[n.id] = compact(s);
      const output = this.outputs.get(n.id);
      if (output !== null && output !== undefined) outputs[n.id] = output;
    }
    const mapOutputs: CarriedState['mapOutputs'] = {};
    for (const [id, m] of this.mapOutputs) mapOutputs[id] = Object.fromEntries(m);
    return {
      generation: this.generation + 1,
      startedAt: this.startedAt,
      done,
      outputs,
      mapOutputs,
      wakeAt: Object.fromEntries(this.wakeAt),
      approvals: Object.fromEntries(this.approvals),
    };
  }
}
