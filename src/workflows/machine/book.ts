/**
 * The run's ledger of node statuses. Every state change goes through
 * `setState`, so the per-state counts and the per-node tallies of finished
 * dependencies stay current without recounting: status and trigger checks
 * cost O(1) per node, not O(nodes) per query or O(dependencies) per check.
 */
import type { ExpressionContext } from '../../dag/expressions';
import { modeOf } from '../../dag/mode';
import { TERMINAL_STATES, type CompiledDag, type CompiledNode, type NodeState } from '../../dag/types';
import { compact, expand, type CarriedState } from '../carry';
import type { NodeStatus, StatusQueryOptions } from '../messages';
import type { UpstreamCounts } from '../triggers';
import type { Outcome } from './types';

/** The workflow clock as the ISO text statuses show. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export class NodeBook {
  readonly byId = new Map<string, CompiledNode>();
  readonly dependents = new Map<string, string[]>();
  readonly status = new Map<string, NodeStatus>();
  readonly outputs = new Map<string, unknown>();
  /** Live `nodes` object of the expression context; updated as nodes finish. */
  readonly ctxNodes: ExpressionContext['nodes'] = {};
  readonly counts: Record<NodeState, number> = { pending: 0, waiting: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  /** Per node: how its dependencies ended so far. */
  readonly upstream = new Map<string, UpstreamCounts>();
  terminal = 0;

  constructor(readonly dag: CompiledDag) {
    for (const n of dag.nodes) {
      this.byId.set(n.id, n);
      this.dependents.set(n.id, []);
      this.status.set(n.id, { id: n.id, state: 'pending' });
      this.upstream.set(n.id, { total: n.after.length, done: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 });
    }
    this.counts.pending = dag.nodes.length;
    for (const n of dag.nodes) for (const dep of n.after) this.dependents.get(dep)!.push(n.id);
  }

  /** Restores what an earlier execution finished, then outputs reused from an earlier run. */
  restore(carried: CarriedState | undefined, reuse: Record<string, unknown>): void {
    for (const [id, c] of Object.entries(carried?.done ?? {})) {
      const s = expand(id, c);
      const state = s.state;
      s.state = 'pending';
      this.status.set(id, s);
      this.setState(s, state);
      this.record(id, state, carried?.outputs[id] ?? null);
    }
    for (const [id, output] of Object.entries(reuse)) {
      const s = this.status.get(id);
      if (!s || TERMINAL_STATES.has(s.state)) continue;
      s.reused = true;
      this.setState(s, 'succeeded');
      this.record(id, 'succeeded', output);
    }
  }

  get(id: string): NodeStatus {
    return this.status.get(id)!;
  }

  setState(s: NodeStatus, state: NodeState): void {
    const prev = s.state;
    if (prev === state) return;
    this.counts[prev]--;
    this.counts[state]++;
    s.state = state;
    if (TERMINAL_STATES.has(state) && !TERMINAL_STATES.has(prev)) {
      this.terminal++;
      for (const d of this.dependents.get(s.id)!) {
        const u = this.upstream.get(d)!;
        u.done++;
        if (state !== 'running' && state !== 'waiting' && state !== 'pending') u[state]++;
      }
    }
  }

  /** Records how a node ended; `at` is the workflow clock. */
  setTerminal(id: string, outcome: Outcome, at: number): void {
    const s = this.get(id);
    s.endedAt = iso(at);
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
    this.setState(s, outcome.state);
  }

  private record(id: string, state: NodeState, output: unknown): void {
    this.outputs.set(id, output);
    this.ctxNodes[id] = { output, state };
  }

  /**
   * Node statuses in DAG order, copied so a query never sees later changes.
   * Activity nodes say where their calls run (`mode`); it comes from the DAG,
   * not the stored status, so the state carried across continue-as-new does
   * not grow. `localCalls` is false in runs recorded before local activities.
   */
  nodes(opts: StatusQueryOptions, localCalls: boolean): NodeStatus[] {
    const out: NodeStatus[] = [];
    for (const n of this.dag.nodes) {
      const s = this.get(n.id);
      const copy: NodeStatus = opts.outputs && this.outputs.has(n.id) ? { ...s, output: this.outputs.get(n.id) } : { ...s };
      if (n.call) copy.mode = localCalls ? modeOf(n.call) : 'remote';
      out.push(copy);
    }
    return out;
  }

  /** Ids of failed nodes, in DAG order. */
  failed(): string[] {
    if (this.counts.failed === 0) return [];
    return this.dag.nodes.filter((n) => this.get(n.id).state === 'failed').map((n) => n.id);
  }

  /** Terminal statuses and their outputs, in the compact carried form. */
  carryDone(): Pick<CarriedState, 'done' | 'outputs'> {
    const done: CarriedState['done'] = {};
    const outputs: CarriedState['outputs'] = {};
    for (const n of this.dag.nodes) {
      const s = this.get(n.id);
      if (!TERMINAL_STATES.has(s.state)) continue;
      done[n.id] = compact(s);
      const output = this.outputs.get(n.id);
      if (output !== null && output !== undefined) outputs[n.id] = output;
    }
    return { done, outputs };
  }
}
