/**
 * The items of the map nodes the user expanded. The status query counts a
 * map node's items but does not list them; the node-details route reads them
 * from the run's history (every execution the node ran in). Each expanded
 * node is read again when its counts change, so items turn green live.
 */
import { useEffect, useMemo, useState } from 'react';
import { api, enc } from '../api';
import type { NodeDetail, NodeStatus } from '../types';

/** Most items drawn in the graph for one map node; the details list up to 500. */
export const MAX_DRAWN_ITEMS = 60;

export interface MapItem {
  index: number;
  /** A node state, or `pending` for an item not scheduled yet. */
  state: string;
  attempt?: number;
  error?: string;
}

/** History activity states → the node states the graph colours. */
const STATE_OF: Record<string, string> = {
  scheduled: 'waiting',
  started: 'running',
  completed: 'succeeded',
  failed: 'failed',
  timed_out: 'failed',
  cancelled: 'cancelled',
};

/** Every item from 0 to the total, the ones the history has not scheduled yet as pending. */
export function itemsOf(detail: NodeDetail | undefined, status: NodeStatus | undefined): MapItem[] {
  const known = new Map((detail?.items ?? []).map((it) => [it.index, it]));
  const total = Math.max(status?.items?.total ?? 0, ...[...known.keys()].map((k) => k + 1));
  const out: MapItem[] = [];
  for (let index = 0; index < total; index++) {
    const it = known.get(index);
    out.push(it ? { index, state: STATE_OF[it.state] ?? 'pending', ...(it.attempt !== undefined ? { attempt: it.attempt } : {}), ...(it.error ? { error: it.error.message } : {}) } : { index, state: 'pending' });
  }
  return out;
}

/** Items by map node id, for the nodes in `expanded`. */
export function useMapItems(runId: string | undefined, expanded: ReadonlySet<string>, statuses: ReadonlyMap<string, NodeStatus> | undefined): ReadonlyMap<string, MapItem[]> {
  const [details, setDetails] = useState<ReadonlyMap<string, NodeDetail>>(new Map());
  // What each expanded node's items look like now; a change reads its history again.
  const versions = [...expanded].map((id) => {
    const s = statuses?.get(id);
    return `${id}:${s?.state}:${JSON.stringify(s?.items)}`;
  });
  const key = versions.join('|');

  useEffect(() => {
    if (!runId) return;
    let live = true;
    for (const id of expanded) {
      void api<NodeDetail>('GET', `/v1/console/runs/${enc(runId)}/nodes/${enc(id)}`).then(
        (d) => live && setDetails((prev) => new Map(prev).set(id, d)),
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
    // `key` holds what matters of `expanded` and `statuses`.
  }, [runId, key]);

  // A new map only when the items can have changed, so the graph's memos hold between renders.
  return useMemo(() => {
    const out = new Map<string, MapItem[]>();
    for (const id of expanded) out.set(id, itemsOf(details.get(id), statuses?.get(id)));
    return out;
  }, [details, key]);
}
