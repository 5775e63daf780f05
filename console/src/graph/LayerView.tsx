/**
 * The collapsed view of a large DAG: one row per layer, with its node count
 * and states, drawn through a virtual list, so a 100,000-node DAG opens at
 * once. Expanding a layer lists its nodes (a page at a time); clicking one
 * opens its details like a node of the graph.
 */
import { useMemo, useState } from 'react';
import type { CompiledDag, CompiledNode, NodeState, NodeStatus } from '../types';
import { NODE_STATES } from '../types';
import { VirtualList } from '../ui/VirtualList';
import { groupByLayer } from './layers';
import { ModeMarker, itemsLine, stateLine } from './NodeCard';
import { settingsLines } from './settings';

const PAGE = 200;
const ROW = 30;

interface Props {
  dag: CompiledDag;
  statuses?: ReadonlyMap<string, NodeStatus>;
  selected?: string;
  onSelect?: (id: string) => void;
}

type Row = { kind: 'layer'; layer: number; ids: string[] } | { kind: 'node'; id: string } | { kind: 'more'; layer: number; shown: number; total: number };

export function LayerView({ dag, statuses, selected, onSelect }: Props): React.JSX.Element {
  const layers = useMemo(() => groupByLayer(dag.nodes), [dag]);
  const byId = useMemo(() => new Map<string, CompiledNode>(dag.nodes.map((n) => [n.id, n])), [dag]);
  const [open, setOpen] = useState<Map<number, number>>(() => new Map());

  const rows = useMemo(() => {
    const out: Row[] = [];
    layers.forEach((ids, layer) => {
      out.push({ kind: 'layer', layer, ids });
      const shown = open.get(layer);
      if (shown === undefined) return;
      for (const id of ids.slice(0, shown)) out.push({ kind: 'node', id });
      if (shown < ids.length) out.push({ kind: 'more', layer, shown, total: ids.length });
    });
    return out;
  }, [layers, open]);

  const toggle = (layer: number): void =>
    setOpen((prev) => {
      const next = new Map(prev);
      if (next.has(layer)) next.delete(layer);
      else next.set(layer, PAGE);
      return next;
    });

  const counts = (ids: string[]): Partial<Record<NodeState, number>> => {
    const c: Partial<Record<NodeState, number>> = {};
    if (!statuses) return c;
    for (const id of ids) {
      const s = statuses.get(id)?.state ?? 'pending';
      c[s] = (c[s] ?? 0) + 1;
    }
    return c;
  };

  const render = (row: Row): React.ReactNode => {
    if (row.kind === 'layer') {
      const c = counts(row.ids);
      return (
        <button type="button" className="layer-row" onClick={() => toggle(row.layer)} aria-expanded={open.has(row.layer)} data-layer={row.layer}>
          <span>{open.has(row.layer) ? '▾' : '▸'} layer {row.layer + 1}</span>
          <span className="muted">{row.ids.length} node{row.ids.length === 1 ? '' : 's'}{row.ids.length <= 3 ? `: ${row.ids.join(', ')}` : ''}</span>
          <span className="layer-states">
            {NODE_STATES.filter((s) => c[s]).map((s) => (
              <span key={s} className={`badge state-${s}`}>{c[s]} {s}</span>
            ))}
          </span>
        </button>
      );
    }
    if (row.kind === 'more') {
      return (
        <button type="button" className="layer-more" onClick={() => setOpen((p) => new Map(p).set(row.layer, row.shown + PAGE))}>
          show {Math.min(PAGE, row.total - row.shown)} more of {row.total - row.shown}
        </button>
      );
    }
    const node = byId.get(row.id)!;
    const s = statuses?.get(row.id);
    return (
      <button type="button" className={`layer-node${row.id === selected ? ' selected' : ''}`} onClick={() => onSelect?.(row.id)} title={settingsLines(node).join('\n')} data-node={row.id} data-state={s?.state ?? 'plan'}>
        <span className="node-id">{row.id}</span>
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
        {dag.nodes.length.toLocaleString()} nodes in {layers.length.toLocaleString()} layers: shown by layer. Click a layer to list its nodes.
      </p>
      <VirtualList items={rows} rowHeight={ROW} height={520} render={render} label="layers" />
    </div>
  );
}
