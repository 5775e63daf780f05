/**
 * The parent of a partitioned run (docs/interpreter.md, "Scale"). A DAG past
 * the partition threshold is not interpreted here: its partitions
 * (src/dag/partition.ts) run one after another, each as a `dagPartition`
 * child workflow, so no history holds more than a few thousand node events and
 * no workflow task touches more than one partition's state. What the parent
 * keeps is the packed DAG, each finished node's compact status and its
 * output: what the status query, the run's output, the end of the run and
 * `retry --from-failed` need.
 *
 * One partition runs at a time. That keeps the run-wide `concurrency` limit
 * exact (a partition gets all of it) and makes fail-fast and cancellation
 * concern one child; the price is a short pause at each partition boundary.
 */
import { ApplicationFailure, CancellationScope, executeChild, getExternalWorkflowHandle, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { evaluateValue, type ExpressionContext } from '../../dag/expressions';
import { blockImports, partitionBlocks, type Block, type PartitionSettings } from '../../dag/partition';
import type { PackedDag } from '../../dag/pack';
import type { NodeState } from '../../dag/types';
import { expand, type CarriedState, type CompactStatus } from '../carry';
import {
  FAILURE_TYPES,
  approvalSignal,
  approvalUpdate,
  resolveFailureUpdate,
  statusQuery,
  type ApprovalDecision,
  type FailureDecision,
  type NodeError,
  type NodeStatus,
  type PartitionStatus,
  type RunState,
  type RunStatus,
  type StatusQueryOptions,
} from '../messages';
import type { RunnerOptions } from '../runner';
import type { dagPartition } from './child';
import { PARTITION_WORKFLOW_TYPE, partitionFailureSignal, partitionWorkflowId, type PartitionArgs, type PartitionResult } from './messages';

export class PartitionedRun {
  state: RunState = 'running';
  private readonly parts: Block[];
  private readonly partState: Array<PartitionStatus['state']>;
  /** Position of each node in the DAG's (topological) order. */
  private readonly position = new Map<string, number>();
  private readonly done = new Map<string, CompactStatus>();
  private readonly outputs = new Map<string, unknown>();
  private failure?: { node: string; error: NodeError };
  private cancelled = false;
  private readonly runId: string;
  private readonly startedAt: string;

  constructor(
    private readonly dag: PackedDag,
    private readonly input: unknown,
    private readonly settings: PartitionSettings,
    reuse: Record<string, unknown> = {},
    private readonly options?: RunnerOptions,
  ) {
    dag.nodes.forEach((n, i) => this.position.set(n.id, i));
    this.parts = partitionBlocks(dag.nodes.length, settings.size);
    this.partState = this.parts.map(() => 'pending');
    this.runId = workflowInfo().workflowId;
    this.startedAt = new Date().toISOString();
    // What an unpartitioned run shows for a reused node: succeeded, `reused`, no times.
    for (const [id, output] of Object.entries(reuse)) {
      if (!this.position.has(id)) continue;
      this.done.set(id, ['succeeded', null, null, null, { reused: true }]);
      this.outputs.set(id, output ?? null);
    }
  }

  // ---- messages ------------------------------------------------------------------

  register(): void {
    setHandler(statusQuery, (opts) => this.status(opts));
    setHandler(
      approvalUpdate,
      async (d) => {
        await getExternalWorkflowHandle(this.childOf(d.node, 'approval')).signal(approvalSignal, d);
        return { node: d.node, decision: d.decision, at: new Date().toISOString() };
      },
      { validator: (d: ApprovalDecision) => void this.childOf(d.node, 'approval') },
    );
    setHandler(
      resolveFailureUpdate,
      async (d) => {
        await getExternalWorkflowHandle(this.childOf(d.node, 'failure')).signal(partitionFailureSignal, d);
        return { node: d.node, action: d.action, at: new Date().toISOString() };
      },
      { validator: (d: FailureDecision) => void this.childOf(d.node, 'failure') },
    );
    setHandler(approvalSignal, (d) => {
      let child: string;
      try {
        child = this.childOf(d.node, 'approval');
      } catch {
        return; // A signal cannot be answered; the update form says why.
      }
      // The child may end before the signal lands; an unhandled rejection would fail the parent's workflow task.
      getExternalWorkflowHandle(child).signal(approvalSignal, d).catch(() => undefined);
    });
  }

  /** The running child that holds `node`; throws (rejecting the update) when there is none. */
  private childOf(node: string, what: 'approval' | 'failure'): string {
    const at = this.position.get(node);
    if (at === undefined) throw new Error(`no node "${node}" in DAG ${this.dag.name}`);
    if (what === 'approval' && this.dag.nodes[at]!.kind !== 'approval') throw new Error(`node "${node}" is not an approval node`);
    const k = Math.floor(at / this.settings.size);
    const state = this.partState[k]!;
    if (state !== 'running') {
      const why = state === 'pending' ? 'has not started yet' : 'has finished';
      throw new Error(`node "${node}" is not waiting for a decision: its partition (${k + 1} of ${this.parts.length}) ${why}`);
    }
    return partitionWorkflowId(this.runId, k);
  }

  status(opts: StatusQueryOptions = {}): RunStatus {
    const counts: Record<NodeState, number> = { pending: 0, waiting: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
    const nodes: NodeStatus[] = [];
    for (const n of this.dag.nodes) {
      const c = this.done.get(n.id);
      const s: NodeStatus = c ? expand(n.id, c) : { id: n.id, state: 'pending' };
      if (opts.outputs && c) s.output = this.outputs.get(n.id) ?? null;
      counts[s.state]++;
      nodes.push(s);
    }
    return {
      dag: this.dag.name,
      hash: this.dag.hash,
      state: this.state,
      startedAt: this.startedAt,
      generation: 0,
      counts,
      nodes,
      ...(this.failure ? { error: { ...this.failure.error, node: this.failure.node } } : {}),
      partitions: this.parts.map((p) => ({ workflowId: partitionWorkflowId(this.runId, p.index), state: this.partState[p.index]!, start: p.start, end: p.end })),
    };
  }

  // ---- the run ---------------------------------------------------------------------

  async run(): Promise<unknown> {
    let cancelRequest: unknown;
    void CancellationScope.current().cancelRequested.catch((err: unknown) => {
      cancelRequest = err;
      this.cancelled = true;
    });
    for (const p of this.parts) {
      if (this.cancelled || (this.failure && this.dag.onFailure === 'fail-fast')) break;
      if (this.dag.nodes.slice(p.start, p.end).every((n) => this.done.has(n.id))) {
        this.partState[p.index] = 'skipped';
        continue;
      }
      this.partState[p.index] = 'running';
      let r: PartitionResult;
      try {
        r = await executeChild<typeof dagPartition>(PARTITION_WORKFLOW_TYPE, {
          workflowId: partitionWorkflowId(this.runId, p.index),
          args: [this.childArgs(p)],
          ...(this.settings.taskTimeoutMs !== undefined ? { workflowTaskTimeout: this.settings.taskTimeoutMs } : {}),
        });
      } catch (err) {
        // Cancelled before the child could report (for instance, before it started).
        if (!isCancellation(err)) throw err;
        this.partState[p.index] = 'done';
        cancelRequest ??= err;
        this.cancelled = true;
        break;
      }
      this.partState[p.index] = 'done';
      for (const [id, c] of Object.entries(r.done)) {
        this.done.set(id, c);
        this.outputs.set(id, r.outputs[id] ?? null);
      }
      if (r.cancelled) this.cancelled = true;
      if (r.failure && !this.failure) this.failure = r.failure;
    }
    return this.end(cancelRequest);
  }

  private childArgs(p: Block): PartitionArgs {
    const own = this.dag.nodes.slice(p.start, p.end);
    // Found when the partition starts: a few thousand nodes' expressions, not the whole DAG's in the first task.
    const imports = blockImports(this.dag, p, this.position);
    const done: CarriedState['done'] = {};
    const outputs: CarriedState['outputs'] = {};
    const carry = (id: string) => {
      const c = this.done.get(id);
      if (!c) return false;
      done[id] = c;
      const output = this.outputs.get(id);
      if (output !== null && output !== undefined) outputs[id] = output;
      return true;
    };
    for (const id of imports) {
      // Partitions run in order, so every node an earlier one holds has ended.
      if (!carry(id)) throw new Error(`partition ${p.index} imports node "${id}", which has not ended`);
    }
    for (const n of own) carry(n.id);
    // The run's output is the parent's to evaluate; a stub is a node with no work, ended before the child starts.
    const { nodes: _nodes, output: _output, ...head } = this.dag;
    return {
      dag: { ...head, nodes: [...imports.map((id) => ({ id })), ...own] },
      input: this.input,
      own: own.length,
      runId: this.runId,
      carried: { generation: 0, startedAt: this.startedAt, done, outputs, mapOutputs: {}, wakeAt: {}, approvals: {} },
      ...(this.options ? { options: this.options } : {}),
    };
  }

  /** Marks every node that has not ended, as the single-workflow run does at its end. */
  private closeRemaining(state: 'skipped' | 'cancelled', reason: string): void {
    const endedAt = new Date().toISOString();
    for (const n of this.dag.nodes) if (!this.done.has(n.id)) this.done.set(n.id, [state, null, null, null, { reason, endedAt }]);
  }

  private async end(cancelRequest: unknown): Promise<unknown> {
    if (this.cancelled) {
      this.closeRemaining('cancelled', 'the run was cancelled');
      this.state = 'cancelled';
      // The cancellation the workflow received, so the run ends as cancelled; else a partition was cancelled on its own.
      if (cancelRequest instanceof Error) throw cancelRequest;
      throw ApplicationFailure.create({ type: FAILURE_TYPES.NODE_FAILED, message: 'a partition of the run was cancelled', nonRetryable: true });
    }
    const failed = this.dag.nodes.filter((n) => this.done.get(n.id)?.[0] === 'failed').map((n) => n.id);
    if (this.failure || failed.length > 0) {
      const first = this.failure?.node ?? failed[0]!;
      this.closeRemaining('skipped', `the run failed at node ${first}`);
      this.state = 'failed';
      const error = this.failure?.error ?? expand(first, this.done.get(first)!).error!;
      const message = `node "${first}" failed: ${error.message}${failed.length > 1 ? ` (failed nodes: ${failed.join(', ')})` : ''}`;
      throw ApplicationFailure.create({ type: FAILURE_TYPES.NODE_FAILED, message, details: [{ node: first, failedNodes: failed, error }], nonRetryable: true });
    }
    if (this.dag.output !== undefined) {
      const nodes: ExpressionContext['nodes'] = {};
      for (const n of this.dag.nodes) nodes[n.id] = { output: this.outputs.get(n.id) ?? null, state: this.done.get(n.id)![0] };
      try {
        const output = await evaluateValue(this.dag.output, { input: this.input, nodes, run: { id: this.runId } });
        this.state = 'succeeded';
        return output;
      } catch (err) {
        this.state = 'failed';
        throw ApplicationFailure.create({ type: FAILURE_TYPES.EXPRESSION_FAILED, message: `output of DAG ${this.dag.name}: ${err instanceof Error ? err.message : String(err)}`, nonRetryable: true });
      }
    }
    this.state = 'succeeded';
    // As in one workflow: the outputs of the sinks (nodes nothing depends on) that succeeded.
    const upstream = new Set<string>();
    for (const n of this.dag.nodes) for (const d of n.after ?? []) upstream.add(d);
    const sinks: Record<string, unknown> = {};
    for (const n of this.dag.nodes) if (!upstream.has(n.id) && this.done.get(n.id)?.[0] === 'succeeded') sinks[n.id] = this.outputs.get(n.id) ?? null;
    return sinks;
  }
}
