/**
 * The waits inside a node before its work: a durable timer (`delay` or `at`)
 * and, for approval nodes, a decision with a deadline. Wake-up times and
 * approval deadlines are absolute and carried across continue-as-new, so a
 * wait that began in one execution ends at the same moment in the next.
 */
import { parseDuration } from '../../dag/duration';
import { isTemplate } from '../../dag/expressions';
import type { CompiledNode } from '../../dag/types';
import { FAILURE_TYPES, type ApprovalDecision } from '../messages';
import { iso } from './book';
import type { RunMachine } from './machine';

export class Waits {
  /** Absolute wake-up times of delays already begun, by node. */
  readonly wakeAt = new Map<string, number>();
  /** Approval deadlines already begun, and their decisions. */
  readonly approvals = new Map<string, { deadline: number; decision?: ApprovalDecision }>();

  constructor(
    private readonly m: RunMachine,
    carried: { wakeAt?: Record<string, number>; approvals?: Record<string, { deadline: number; decision?: ApprovalDecision }> },
  ) {
    for (const [id, t] of Object.entries(carried.wakeAt ?? {})) this.wakeAt.set(id, t);
    for (const [id, a] of Object.entries(carried.approvals ?? {})) this.approvals.set(id, a);
  }

  /** After `when`: waits for the node's time, if it has one, then goes on to its work. */
  time(node: CompiledNode): void {
    if (node.delay === undefined && node.at === undefined) return this.m.afterTime(node);
    const wake = this.wakeAt.get(node.id);
    if (wake !== undefined) return this.arm(node, wake);
    if (node.delay !== undefined) {
      if (typeof node.delay === 'number') return this.delayFrom(node, node.delay);
      return this.m.evaluate(node, 'delay', node.delay, true);
    }
    if (isTemplate(node.at!)) return this.m.evaluate(node, 'at', node.at, true);
    this.atFrom(node, node.at);
  }

  delayFrom(node: CompiledNode, raw: unknown): void {
    const ms = typeof raw === 'number' || typeof raw === 'string' ? parseDuration(raw) : undefined;
    if (ms === undefined) return this.m.policies.failed(node, { message: `delay of node "${node.id}" is not a duration: ${JSON.stringify(raw)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    this.wakeAt.set(node.id, this.m.now + ms);
    this.arm(node, this.m.now + ms);
  }

  atFrom(node: CompiledNode, raw: unknown): void {
    const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (Number.isNaN(t)) return this.m.policies.failed(node, { message: `at of node "${node.id}" is not a time: ${JSON.stringify(raw)}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    this.wakeAt.set(node.id, t);
    this.arm(node, t);
  }

  private arm(node: CompiledNode, wake: number): void {
    const remaining = wake - this.m.now;
    if (remaining <= 0) return this.m.afterTime(node);
    // A timer in a cancelled scope is refused at once.
    if (this.m.halted) return this.m.finish(node, this.m.cancelledOutcome());
    this.m.book.get(node.id).reason = `timer until ${iso(wake)}`;
    this.m.out.push({ kind: 'timer', node: node.id, ms: remaining });
  }

  fired(node: CompiledNode): void {
    delete this.m.book.get(node.id).reason;
    this.m.afterTime(node);
  }

  // ---- approvals ------------------------------------------------------------------

  awaitApproval(node: CompiledNode): void {
    let pending = this.approvals.get(node.id);
    if (!pending) {
      pending = { deadline: this.m.now + node.approvalTimeoutMs! };
      this.approvals.set(node.id, pending);
    }
    if (this.m.halted) return this.m.finish(node, this.m.cancelledOutcome());
    this.m.book.get(node.id).reason = `awaiting approval until ${iso(pending.deadline)}`;
    this.m.out.push({ kind: 'wait-decision', node: node.id, ms: Math.max(0, pending.deadline - this.m.now) });
  }

  /** Throws when the decision cannot apply, so an update is rejected with the reason. */
  validate(d: ApprovalDecision): void {
    const node = this.m.book.byId.get(d.node);
    if (!node) throw new Error(`no node "${d.node}" in DAG ${this.m.dag.name}`);
    if (node.kind !== 'approval') throw new Error(`node "${d.node}" is not an approval node`);
    const state = this.m.book.get(d.node).state;
    if (state !== 'waiting' || !this.approvals.has(d.node)) throw new Error(`node "${d.node}" is not waiting for approval (it is ${state})`);
    if (this.approvals.get(d.node)!.decision) throw new Error(`node "${d.node}" already has a decision`);
  }

  record(d: ApprovalDecision): void {
    this.approvals.get(d.node)!.decision = d;
  }

  hasDecision(id: string): boolean {
    return this.approvals.get(id)?.decision !== undefined;
  }

  approvalDue(node: CompiledNode, decided: boolean): void {
    delete this.m.book.get(node.id).reason;
    const entry = this.approvals.get(node.id)!;
    if (!decided) return this.m.policies.failed(node, { message: `no decision before the deadline ${iso(entry.deadline)}`, type: FAILURE_TYPES.APPROVAL_TIMED_OUT });
    const d = entry.decision!;
    if (d.decision === 'reject') return this.m.policies.failed(node, { message: `rejected${d.by ? ` by ${d.by}` : ''}${d.reason ? `: ${d.reason}` : ''}`, type: FAILURE_TYPES.APPROVAL_REJECTED });
    this.m.finish(node, { state: 'succeeded', output: { approved: true, ...(d.by ? { by: d.by } : {}), ...(d.reason ? { reason: d.reason } : {}), at: iso(this.m.now) } });
  }
}
