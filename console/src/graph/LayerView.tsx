/**
 * The collapsed view of a large DAG: one row per layer, with its node count
 * and states, drawn through a virtual list, so a 100,000-node DAG opens at
 * once. Expanding a layer lists its nodes (a page at a time); clicking one
 * opens its details like a node of the graph.
 */
import { useMemo, useState } from 'react';
import type { CompiledNode, NodeState, NodeStatus } from '../types';
import { NODE_STATES } from '../types';
import { VirtualList } from '../ui/VirtualList';
import type { LayerSource } from './layerSource';
import { ModeMarker, itemsLine, stateLine } from './NodeCard';
import { settingsLines } from './settings';

const PAGE = 200;
const ROW = 30;

interface Props {
  source: LayerSource;
  statuses?: ReadonlyMap<string, NodeStatus>;
  selected?: string;
  onSelect?: (id: string) => void;
}

type Row = { kind: 'layer'; layer: number } | { kind: 'node'; node: CompiledNode } | { kind: 'more'; layer: number; shown: number; total: number } | { kind: 'loading'; layer: number };

export function LayerView({ source, statuses, selected, onSelect }: Props): React.JSX.Element {
  // The nodes loaded for each open layer; an open layer without them is loading.
  const [open, setOpen] = useState<ReadonlyMap<number, CompiledNode[] | undefined>>(() => new Map());
  const [error, setError] = useState<string | undefined>();

  const rows = useMemo(() => {
    const out: Row[] = [];
    source.layers.forEach((layer, i) => {
      out.push({ kind: 'layer', layer: i });
      if (!open.has(i)) return;
      const nodes = open.get(i);
      if (!nodes) return void out.push({ kind: 'loading', layer: i });
      for (const node of nodes) out.push({ kind: 'node', node });
      if (nodes.length < layer.count) out.push({ kind: 'more', layer: i, shown: nodes.length, total: layer.count });
    });
    return out;
  }, [source, open]);

  const load = (layer: number, offset: number): void => {
    setError(undefined);
    source.page(layer, offset, PAGE).then(
      (nodes) => setOpen((prev) => (prev.has(layer) ? new Map(prev).set(layer, [...(prev.get(layer) ?? []), ...nodes]) : prev)),
      (err: Error) => setError(err.message),
    );
  };

  const toggle = (layer: number): void => {
    if (open.has(layer)) {
      setOpen((prev) => {
        const next = new Map(prev);
        next.delete(layer);
        return next;
      });
      return;
    }
    setOpen((prev) => new Map(prev).set(layer, undefined));
    load(layer, 0);
  };

  const counts = (ids: readonly string[] | undefined): Partial<Record<NodeState, number>> => {
    const c: Partial<Record<NodeState, number>> = {};
    if (!statuses || !ids) return c;
    for (const id of ids) {
      const s = statuses.get(id)?.state ?? 'pending';
      c[s] = (c[s] ?? 0) + 1;
    }
    return c;
  };

  const render = (row: Row): React.ReactNode => {
    if (row.kind === 'layer') {
      const { count, sample } = source.layers[row.layer]!;
      const c = counts(source.ids?.(row.layer));
      return (
        <button type="button" className="layer-row" onClick={() => toggle(row.layer)} aria-expanded={open.has(row.layer)} data-layer={row.layer}>
          <span>{open.has(row.layer) ? '▾' : '▸'} layer {row.layer + 1}</span>
          <span className="muted">{count.toLocaleString()} node{count === 1 ? '' : 's'}{count <= sample.length ? `: ${sample.join(', ')}` : ''}</span>
          <span className="layer-states">
            {NODE_STATES.filter((s) => c[s]).map((s) => (
              <span key={s} className={`badge state-${s}`}>{c[s]} {s}</span>
            ))}
          </span>
        </button>
      );
    }
    if (row.kind === 'loading') return <div className="layer-more muted">loading…</div>;
    if (row.kind === 'more') {
      return (
        <button type="button" className="layer-more" onClick={() => load(row.layer, row.shown)}>
          show {Math.min(PAGE, row.total - row.shown)} more of {row.total - row.shown}
        </button>
      );
    }
    const { node } = row;
    const s = statuses?.get(node.id);
    return (
      <button type="button" className={`layer-node${node.id === selected ? ' selected' : ''}`} onClick={() => onSelect?.(node.id)} title={settingsLines(node).join('\n')} data-node={node.id} data-state={s?.state ?? 'plan'}>
        <span className="node-id">{node.id}</span>
        <span className="muted">{node.kind === 'approval' ? 'approval' : node.call?.activity}</span>
        <ModeMarker status={s} />
        {s && <span className={`badge state-${s.state}`}>{s.state}</span>}
        <span className="muted">{itemsLine(s) ?? ''} {stateLine(s)}</span>
      </button>
    );
  };

  return (
    <div className="layer-view" data-testid="dag-graph" data-layout="layers">
      <p className="muted">
        {source.nodeCount.toLocaleString()} nodes in {source.layers.length.toLocaleString()} layers: shown by layer. Click a layer to list its nodes.
      </p>
      {error && <p className="error">{error}</p>}
      <VirtualList items={rows} rowHeight={ROW} height={520} render={render} label="layers" />
    </div>
  );
}
