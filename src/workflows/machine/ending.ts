/**
 * How a settled run ends: continue as new (history is long), succeed with its
 * output, fail naming the first failed node, or end as cancelled; with
 * `onFailure: compensate`, the compensations of succeeded nodes run first, in
 * reverse topological order, one at a time.
 */
import { TERMINAL_STATES, type CompiledNode } from '../../dag/types';
import { FAILURE_TYPES } from '../messages';
import type { RunMachine } from './machine';
import type { CallOutcome } from './types';

export class RunEnd {
  private compensations: CompiledNode[] = [];
  private nextCompensated = 0;
  private afterCompensation: () => void = () => undefined;

  constructor(private readonly m: RunMachine) {}

  /** The `end` event: the shell saw the run settle (or, once cancelled, saw no node still active). */
  end(finished: boolean): void {
    const m = this.m;
    if (m.cancelled) {
      this.closeRemaining('cancelled', 'the run was cancelled');
      return this.compensateThen(() => {
        m.runState = 'cancelled';
        m.out.push({ kind: 'cancel-run' });
      });
    }
    if (!finished) return void m.out.push({ kind: 'continue-as-new' });
    if (m.failure || m.book.counts.failed > 0) {
      return this.compensateThen(() => {
        const failed = m.book.failed();
        this.closeRemaining('skipped', `the run failed at node ${m.failure?.node ?? failed[0]}`);
        m.runState = 'failed';
        const first = m.failure?.node ?? failed[0]!;
        const error = m.failure?.error ?? m.book.get(first).error!;
        const message = `node "${first}" failed: ${error.message}${failed.length > 1 ? ` (failed nodes: ${failed.join(', ')})` : ''}`;
        m.out.push({ kind: 'fail-run', failure: { type: FAILURE_TYPES.NODE_FAILED, message, details: [{ node: first, failedNodes: failed, error }] } });
      });
    }
    m.runState = 'succeeded';
    if (m.dag.output !== undefined) return void m.out.push({ kind: 'evaluate', node: '', step: 'output', expr: m.dag.output, template: false });
    const sinks: Record<string, unknown> = {};
    for (const n of m.dag.nodes) {
      if (m.book.dependents.get(n.id)!.length === 0 && m.book.get(n.id).state === 'succeeded') sinks[n.id] = m.book.outputs.get(n.id);
    }
    m.out.push({ kind: 'complete-run', output: sinks });
  }

  outputEvaluated(r: { value?: unknown; message?: string }): void {
    if (r.message === undefined) return void this.m.out.push({ kind: 'complete-run', output: r.value });
    this.m.out.push({ kind: 'fail-run', failure: { type: FAILURE_TYPES.EXPRESSION_FAILED, message: `output of DAG ${this.m.dag.name}: ${r.message}` } });
  }

  private closeRemaining(state: 'skipped' | 'cancelled', reason: string): void {
    for (const n of this.m.dag.nodes) if (!TERMINAL_STATES.has(this.m.book.get(n.id).state)) this.m.setTerminal(n.id, { state, reason });
  }

  /** Saga: compensations of succeeded nodes (not those whose error was ignored), then `then`. */
  private compensateThen(then: () => void): void {
    if (this.m.dag.onFailure !== 'compensate') return then();
    this.m.runState = 'compensating';
    const book = this.m.book;
    this.compensations = this.m.dag.nodes.filter((n) => n.compensate && book.get(n.id).state === 'succeeded' && !book.get(n.id).ignoredError).reverse();
    this.afterCompensation = then;
    this.next();
  }

  private next(): void {
    const node = this.compensations[this.nextCompensated++];
    if (!node) return this.afterCompensation();
    this.m.book.get(node.id).compensation = { state: 'running' };
    this.m.evaluate(node, 'compensate', node.compensate!.input ?? null, false);
  }

  compensateInput(node: CompiledNode, r: { value?: unknown; message?: string }): void {
    if (r.message !== undefined) {
      this.m.book.get(node.id).compensation = { state: 'failed', error: { message: `compensate.input: ${r.message}`, type: FAILURE_TYPES.EXPRESSION_FAILED } };
      return this.next();
    }
    this.m.out.push({ kind: 'compensate', node: node.id, activityId: `${node.id}/compensate`, call: node.compensate!, input: r.value });
  }

  compensated(id: string, result: CallOutcome): void {
    const s = this.m.book.get(id);
    s.compensation = result.kind === 'ok' ? { state: 'succeeded' } : { state: 'failed', error: result.kind === 'failed' ? result.error : { message: 'cancelled' } };
    if (result.kind !== 'ok') this.m.out.push({ kind: 'log', level: 'warn', message: 'compensation failed; continuing with the rest', attrs: { node: id } });
    this.next();
  }
}
