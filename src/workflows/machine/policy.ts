/**
 * What happens when a node fails for good (its retries are spent): its
 * `onError` policy. fail and ignore end it at once (ignore as succeeded with
 * the error kept); notify posts the failure to a webhook first; ask waits for
 * a person to retry, skip or abort, until a deadline.
 */
import type { CompiledNode } from '../../dag/types';
import { FAILURE_TYPES, type FailureDecision, type NodeError } from '../messages';
import { iso } from './book';
import type { RunMachine } from './machine';
import type { CallOutcome } from './types';

/** Failure notifications: a few quick tries; a broken webhook must not hold the run. */
const NOTIFY_RETRY = { maximumAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 10_000, nonRetryableErrorTypes: [] as string[] };

interface Failure {
  error: NodeError;
  attempts?: number;
}

export class Policies {
  /** Nodes with onError: ask that failed and wait for a person. */
  private readonly asks = new Map<string, Failure & { deadline: number; decision?: FailureDecision }>();
  /** Nodes with onError: notify whose notification is under way. */
  private readonly notifying = new Map<string, Failure>();

  constructor(private readonly m: RunMachine) {}

  failed(node: CompiledNode, error: NodeError, attempts?: number): void {
    const failure: Failure = { error, ...(attempts !== undefined ? { attempts } : {}) };
    if (node.onError === 'notify') {
      this.notifying.set(node.id, failure);
      return this.m.evaluate(node, 'notify', node.notify!.url, true);
    }
    if (node.onError === 'ask') return this.ask(node, failure);
    this.m.finish(node, { state: 'failed', ...failure });
  }

  // ---- notify ---------------------------------------------------------------------

  notifyUrl(node: CompiledNode, r: { value?: unknown; message?: string }): void {
    const f = this.notifying.get(node.id)!;
    if (r.message !== undefined) {
      this.m.out.push({ kind: 'log', level: 'warn', message: 'notify.url did not evaluate; failure not notified', attrs: { node: node.id, error: r.message } });
      return this.notified(node, { kind: 'cancelled' });
    }
    // A call in a cancelled scope ends at once, without reaching the server.
    if (this.m.halted) return this.notified(node, { kind: 'cancelled' });
    const spec = node.notify!;
    const body = { event: 'node.failed', run: this.m.runId, dag: this.m.dag.name, node: node.id, error: f.error, attempts: f.attempts ?? null, at: iso(this.m.now) };
    this.m.out.push({
      kind: 'notify',
      node: node.id,
      activityId: `${node.id}/notify`,
      call: { activity: 'notify.webhook', retry: { ...NOTIFY_RETRY }, timeouts: { startToCloseMs: 30_000 } },
      input: { url: r.value, ...(spec.headers ? { headers: spec.headers } : {}), body },
    });
  }

  notified(node: CompiledNode, result: CallOutcome): void {
    if (result.kind === 'failed') this.m.out.push({ kind: 'log', level: 'warn', message: 'failure notification failed', attrs: { node: node.id, error: result.error.message } });
    const f = this.notifying.get(node.id)!;
    this.notifying.delete(node.id);
    if (node.notify?.then === 'continue') return this.m.finish(node, { state: 'succeeded', output: null, ignoredError: f.error, ...(f.attempts !== undefined ? { attempts: f.attempts } : {}) });
    this.m.finish(node, { state: 'failed', ...f });
  }

  // ---- ask ------------------------------------------------------------------------

  private ask(node: CompiledNode, f: Failure): void {
    const s = this.m.book.get(node.id);
    const deadline = this.m.now + (node.askTimeoutMs ?? 0);
    this.asks.set(node.id, { ...f, deadline });
    this.m.book.setState(s, 'waiting');
    s.error = f.error;
    if (f.attempts !== undefined) s.attempts = f.attempts;
    // A wait in a cancelled scope is refused at once.
    if (this.m.halted) {
      this.forget(node.id);
      return this.m.finish(node, this.m.cancelledOutcome());
    }
    s.reason = `failed; awaiting a decision (retry, skip or abort) until ${iso(deadline)}`;
    this.m.out.push({ kind: 'wait-decision', node: node.id, ms: Math.max(0, deadline - this.m.now) });
  }

  asking(id: string): boolean {
    return this.asks.has(id);
  }

  hasDecision(id: string): boolean {
    return this.asks.get(id)?.decision !== undefined;
  }

  /** Throws when the decision cannot apply, so the update is rejected with the reason. */
  validate(d: FailureDecision): void {
    const entry = this.asks.get(d.node);
    if (!entry) throw new Error(`node "${d.node}" is not waiting for a decision (it is ${this.m.book.get(d.node).state})`);
    if (entry.decision) throw new Error(`node "${d.node}" already has a decision`);
  }

  record(d: FailureDecision): void {
    this.asks.get(d.node)!.decision = d;
  }

  /** The node stops waiting (decided, timed out or cancelled): the status no longer shows the failure. */
  forget(id: string): void {
    if (!this.asks.delete(id)) return;
    const s = this.m.book.get(id);
    delete s.reason;
    delete s.error;
  }

  decisionDue(node: CompiledNode, decided: boolean): void {
    const entry = this.asks.get(node.id)!;
    this.forget(node.id);
    const d: FailureDecision = decided ? entry.decision! : { node: node.id, action: 'abort', by: 'deadline' };
    const by = d.by ? ` by ${d.by}` : '';
    if (d.action === 'retry') return this.m.begin(node);
    if (d.action === 'skip') return this.m.finish(node, { state: 'skipped', reason: `skipped${by} after failing: ${entry.error.message}` });
    const error = { message: `aborted${by} after failing: ${entry.error.message}`, type: FAILURE_TYPES.FAILURE_ABORTED };
    this.m.finish(node, { state: 'failed', error, ...(entry.attempts !== undefined ? { attempts: entry.attempts } : {}) });
  }
}
