/**
 * Views of closed executions, kept in memory. A closed execution never
 * changes, but its status query is dear: the worker has evicted it, so every
 * query replays the whole execution (1.7 s for a 5,000-node run at load 7.7,
 * measured while building the console). The console, the event stream and GET /v1/runs/:id ask a
 * long-lived API process for the same closed run again and again; after the
 * first answer they get it from here.
 *
 * Keyed by workflow id, execution (runId) and whether outputs were asked for.
 * Bounded by weight, so a few huge runs can't fill the heap: a view without
 * outputs weighs its node count (a status is a few hundred bytes); a view
 * with outputs weighs its JSON size in units of OUTPUT_UNIT bytes, as an
 * output can be large.
 */
import type { RunView } from './run-types';

/** Most weight held across all entries: about 100,000 node statuses. */
export const CLOSED_RUN_CACHE_NODES = 100_000;
/** Bytes of a view with outputs that weigh as much as one node status. */
const OUTPUT_UNIT = 256;

export class ClosedRunCache {
  private readonly entries = new Map<string, { view: RunView; nodes: number }>();
  private nodes = 0;

  constructor(private readonly maxNodes = CLOSED_RUN_CACHE_NODES) {}

  private static key(id: string, runId: string, outputs: boolean): string {
    return `${id}\u0000${runId}\u0000${outputs ? 1 : 0}`;
  }

  /** The cached view; callers must not change it (it is shared). */
  get(id: string, runId: string, outputs: boolean): RunView | undefined {
    const key = ClosedRunCache.key(id, runId, outputs);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last, so eviction takes the oldest first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.view;
  }

  /** Keeps a closed execution's view; a view without a status (the query failed) is not kept, so it is asked again. */
  set(id: string, outputs: boolean, view: RunView): void {
    if (view.closedAt === undefined || !view.status) return;
    const nodes = outputs ? Math.ceil(JSON.stringify(view).length / OUTPUT_UNIT) : view.status.nodes.length + 1;
    if (nodes > this.maxNodes) return;
    const key = ClosedRunCache.key(id, view.runId, outputs);
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.nodes -= old.nodes;
    }
    this.entries.set(key, { view, nodes });
    this.nodes += nodes;
    for (const [k, e] of this.entries) {
      if (this.nodes <= this.maxNodes) break;
      this.entries.delete(k);
      this.nodes -= e.nodes;
    }
  }
}
