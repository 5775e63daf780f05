/**
 * Where the layer view gets its layers and their nodes: from a DAG held in
 * the page (a run's, up to a few thousand nodes), or a page at a time from
 * the API (the plan of a DAG above INLINE_NODES, console-dags.ts), so a
 * 100,000-node plan costs the browser what it shows.
 */
import { groupByLayer } from '../../../src/api/routes/console-layers';
import { api, enc, queryString } from '../api';
import type { CompiledDag, CompiledNode } from '../types';

export interface LayerSource {
  nodeCount: number;
  layers: { count: number; sample: string[] }[];
  /** Every id of a layer, when the DAG is in memory (for counting states). */
  ids?: (layer: number) => readonly string[];
  page(layer: number, offset: number, limit: number): Promise<CompiledNode[]>;
}

/** The head and layers of a large plan, as GET /v1/console/dags/:name/plan gives them. */
export interface RemotePlan {
  name: string;
  nodeCount: number;
  layers: { count: number; sample: string[] }[];
}

export function localSource(dag: CompiledDag): LayerSource {
  const layers = groupByLayer(dag.nodes);
  const byId = new Map(dag.nodes.map((n) => [n.id, n]));
  return {
    nodeCount: dag.nodes.length,
    layers: layers.map((ids) => ({ count: ids.length, sample: ids.slice(0, 3) })),
    ids: (layer) => layers[layer] ?? [],
    page: async (layer, offset, limit) => (layers[layer] ?? []).slice(offset, offset + limit).map((id) => byId.get(id)!),
  };
}

export function remoteSource(plan: RemotePlan): LayerSource {
  return {
    nodeCount: plan.nodeCount,
    layers: plan.layers,
    page: async (layer, offset, limit) =>
      (await api<{ nodes: CompiledNode[] }>('GET', `/v1/console/dags/${enc(plan.name)}/plan/layers/${layer}${queryString({ offset, limit })}`)).nodes,
  };
}
