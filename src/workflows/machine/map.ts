/**
 * Map nodes: dynamic fan-out over a list, in batches, at most
 * `map.concurrency` items at a time (within the run-wide limit). Finished
 * batches are kept, so a continue-as-new or a retry does not redo them. The
 * first failed item cancels the others and fails the node.
 */
import type { CompiledNode } from '../../dag/types';
import { FAILURE_TYPES, type NodeError, type NodeStatus } from '../messages';
import type { RunMachine } from './machine';
import type { SlotRequest } from './slots';
import type { CallOutcome } from './types';

interface MapRun {
  batches: unknown[][];
  /** Outputs of finished batches, by index (shared with the carried state). */
  done: Map<number, unknown>;
  counts: NonNullable<NodeStatus['items']>;
  /** Next batch to consider for a map slot. */
  next: number;
  /** Items holding a map slot: evaluating their input, waiting for a run-wide slot, or in flight. */
  local: number;
  firstError?: { error: NodeError; attempt?: number };
  lastAttempt?: number;
  ended: boolean;
}

export class MapRuns {
  /** Finished batches of map nodes not yet done, by node: carried across continue-as-new. */
  private readonly outputs = new Map<string, Map<number, unknown>>();
  private readonly runs = new Map<string, MapRun>();

  constructor(
    private readonly m: RunMachine,
    carried: Record<string, Record<number, unknown>>,
  ) {
    for (const [id, batches] of Object.entries(carried)) {
      this.outputs.set(id, new Map(Object.entries(batches).map(([k, v]) => [Number(k), v])));
    }
  }

  carry(): Record<string, Record<number, unknown>> {
    const out: Record<string, Record<number, unknown>> = {};
    for (const [id, m] of this.outputs) out[id] = Object.fromEntries(m);
    return out;
  }

  start(node: CompiledNode, items: unknown): void {
    const map = node.map!;
    if (!Array.isArray(items)) {
      return this.m.policies.failed(node, { message: `map.items of node "${node.id}" must be a list, got ${items === null ? 'null' : typeof items}`, type: FAILURE_TYPES.BAD_MAP_ITEMS });
    }
    const batches: unknown[][] = [];
    for (let i = 0; i < items.length; i += map.batchSize) batches.push(items.slice(i, i + map.batchSize));
    const done = this.outputs.get(node.id) ?? new Map<number, unknown>();
    this.outputs.set(node.id, done);
    const counts = { total: batches.length, succeeded: done.size, failed: 0, running: 0 };
    this.m.book.get(node.id).items = counts;
    const run: MapRun = { batches, done, counts, next: 0, local: 0, ended: false };
    this.runs.set(node.id, run);
    this.fill(node, run);
    this.check(node, run);
  }

  /** Items of this run must not start: the node's scope or the items' scope was cancelled. */
  private halted(run: MapRun): boolean {
    return this.m.halted || run.firstError !== undefined || run.ended;
  }

  /** Gives free map slots to the next batches not done yet, in order. */
  private fill(node: CompiledNode, run: MapRun): void {
    const map = node.map!;
    while (run.local < map.concurrency && run.next < run.batches.length && !this.halted(run)) {
      const index = run.next++;
      if (run.done.has(index)) continue;
      run.local++;
      const batch = run.batches[index]!;
      this.m.evaluate(node, 'input', node.call!.input ?? null, false, { item: map.batchSize === 1 ? batch[0] : batch, index });
    }
  }

  itemInput(node: CompiledNode, index: number, r: { value?: unknown; message?: string }): void {
    const run = this.runs.get(node.id)!;
    if (r.message !== undefined && !this.halted(run)) {
      // The node fails at once; items already in flight finish on their own, as they always have.
      run.local--;
      run.ended = true;
      return this.m.policies.failed(node, { message: `input (item ${index}) of node "${node.id}": ${r.message}`, type: FAILURE_TYPES.EXPRESSION_FAILED });
    }
    if (this.halted(run)) {
      run.local--;
      return this.check(node, run);
    }
    run.counts.running++;
    this.m.calls.request({ node: node.id, index, input: r.value });
  }

  /** The item got a run-wide slot. */
  granted(node: CompiledNode, req: SlotRequest): void {
    const run = this.runs.get(node.id)!;
    if (this.halted(run)) {
      this.m.calls.release();
      return this.withdrawn(node, req);
    }
    if (this.m.draining) return;
    this.m.book.setState(this.m.book.get(node.id), 'running');
    this.m.inFlight++;
    this.m.out.push({ kind: 'call', node: node.id, index: req.index!, activityId: `${node.id}/${req.index}`, call: node.call!, input: req.input });
  }

  /** The item left without running: its scope was cancelled. */
  withdrawn(node: CompiledNode, _req: SlotRequest): void {
    const run = this.runs.get(node.id)!;
    run.counts.running--;
    run.local--;
    this.check(node, run);
  }

  itemDone(node: CompiledNode, index: number, result: CallOutcome): void {
    const run = this.runs.get(node.id)!;
    if (run.ended) return;
    run.counts.running--;
    if (result.kind === 'ok') {
      run.done.set(index, result.output);
      run.counts.succeeded++;
      if (result.attempt !== undefined) run.lastAttempt = result.attempt;
    } else if (result.kind === 'failed') {
      run.counts.failed++;
      if (!run.firstError) {
        run.firstError = { error: { ...result.error, message: `item ${index}: ${result.error.message}` }, ...(result.attempt !== undefined ? { attempt: result.attempt } : {}) };
        this.m.out.push({ kind: 'cancel-items', node: node.id });
        this.m.calls.withdrawWaiting((req) => req.node === node.id && req.index !== undefined);
      }
    }
    run.local--;
    this.fill(node, run);
    this.check(node, run);
  }

  /** Ends the node once no item holds a map slot. */
  private check(node: CompiledNode, run: MapRun): void {
    if (run.ended || run.local > 0) return;
    if (run.firstError) {
      run.ended = true;
      return this.m.policies.failed(node, run.firstError.error, run.firstError.attempt);
    }
    run.ended = true;
    // Items that were cancelled leave the node unfinished: it ends as cancelled, not as succeeded with holes.
    if (run.done.size < run.batches.length) return this.m.finish(node, this.m.cancelledOutcome());
    this.outputs.delete(node.id);
    this.m.finish(node, { state: 'succeeded', output: run.batches.map((_, i) => run.done.get(i)), ...(run.lastAttempt !== undefined ? { attempts: run.lastAttempt } : {}) });
  }
}
