/**
 * The DAG as a React Flow graph, laid out by ELK in a worker. Used up to
 * FULL_GRAPH_LIMIT nodes; bigger DAGs get the layer view (LayerView.tsx).
 * The layout is computed once per DAG and set of expanded map nodes; live
 * status changes only restyle the nodes, so updates never move them.
 *
 * A map node of a run can be expanded: its items (up to MAX_DRAWN_ITEMS)
 * are drawn as small nodes it fans out to, each in its own state.
 */
import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import type { CompiledDag, CompiledNode, NodeStatus } from '../types';
import { MAX_DRAWN_ITEMS, useMapItems, type MapItem } from '../run/useMapItems';
import { layout, type LayoutInput } from './layout';
import { NodeCard } from './NodeCard';

type CardData = { node: CompiledNode; status?: NodeStatus; selected: boolean; expanded?: boolean; onToggle?: (id: string) => void };
type ItemData = { map: string; item?: MapItem; more?: number };
type CardNode = Node<CardData, 'card'>;
type ItemNode = Node<ItemData, 'item'>;

const ITEM_WIDTH = 96;
const ITEM_HEIGHT = 30;

/** Edges attach to handles; the graph is read-only, so they are only anchors. */
function Card({ data }: NodeProps<CardNode>): React.JSX.Element {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <NodeCard node={data.node} status={data.status} selected={data.selected} expanded={data.expanded} onToggle={data.onToggle} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
}

function Item({ data }: NodeProps<ItemNode>): React.JSX.Element {
  const { item, more, map } = data;
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {item ? (
        <div className={`item-card state-${item.state}`} data-item={`${map}/${item.index}`} data-state={item.state} title={`${map} item ${item.index}: ${item.state}${item.attempt ? `, attempt ${item.attempt}` : ''}${item.error ? `\n${item.error}` : ''}`}>
          #{item.index} <span className="muted">{item.state}</span>
        </div>
      ) : (
        <div className="item-card more" data-item-more={map}>+{more} more</div>
      )}
    </>
  );
}

const nodeTypes = { card: Card, item: Item };

const STATE_COLOURS: Record<string, string> = {
  succeeded: '#2e9d57',
  failed: '#d64541',
  running: '#2f72d6',
  waiting: '#d99a1c',
  skipped: '#9aa0a6',
  cancelled: '#6b6f76',
};

interface Props {
  dag: CompiledDag;
  statuses?: ReadonlyMap<string, NodeStatus>;
  selected?: string;
  onSelect?: (id: string) => void;
  /** The run's id, when this graph is a run's: its map nodes can then be expanded. */
  runId?: string;
}

const itemId = (map: string, index: number): string => `${map}[${index}]`;

export function FlowGraph({ dag, statuses, selected, onSelect, runId }: Props): React.JSX.Element {
  const [positions, setPositions] = useState<Record<string, { x: number; y: number }> | undefined>();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const items = useMapItems(runId, expanded, statuses);
  const toggle = (id: string): void =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  // What the layout depends on: the DAG, and how many item nodes each expanded map node draws.
  const drawn = [...items].map(([id, list]) => [id, Math.min(list.length, MAX_DRAWN_ITEMS + 1)] as const);
  const shape = drawn.map(([id, n]) => `${id}:${n}`).join('|');
  useEffect(() => {
    let live = true;
    const extra: LayoutInput[] = drawn.flatMap(([id, n]) => Array.from({ length: n }, (_, i) => ({ id: itemId(id, i), after: [id], width: ITEM_WIDTH, height: ITEM_HEIGHT })));
    void layout([...dag.nodes, ...extra]).then((p) => live && setPositions(p));
    return () => {
      live = false;
    };
    // `shape` stands for `drawn`.
  }, [dag, shape]);

  const edges = useMemo<Edge[]>(() => {
    const out: Edge[] = dag.nodes.flatMap((n) => n.after.map((a) => ({ id: `${a}->${n.id}`, source: a, target: n.id, animated: statuses?.get(n.id)?.state === 'running' })));
    for (const [id, list] of items) {
      for (let i = 0; i < Math.min(list.length, MAX_DRAWN_ITEMS + 1); i++) out.push({ id: `${id}->${itemId(id, i)}`, source: id, target: itemId(id, i), style: { strokeDasharray: '3 3' } });
    }
    return out;
  }, [dag, statuses, items]);

  const nodes = useMemo<(CardNode | ItemNode)[]>(() => {
    if (!positions) return [];
    const cards: (CardNode | ItemNode)[] = dag.nodes.map((n) => {
      const status = statuses?.get(n.id);
      return {
        id: n.id,
        type: 'card',
        position: positions[n.id] ?? { x: 0, y: 0 },
        data: { node: n, status, selected: n.id === selected, ...(runId && n.map && status?.items ? { expanded: expanded.has(n.id), onToggle: toggle } : {}) },
        draggable: false,
        connectable: false,
      };
    });
    for (const [id, list] of items) {
      list.slice(0, MAX_DRAWN_ITEMS + 1).forEach((item, i) => {
        const more = i === MAX_DRAWN_ITEMS && list.length > MAX_DRAWN_ITEMS + 1 ? list.length - MAX_DRAWN_ITEMS : undefined;
        const p = positions[itemId(id, i)];
        if (!p) return;
        cards.push({ id: itemId(id, i), type: 'item', position: p, data: more ? { map: id, more } : { map: id, item }, draggable: false, connectable: false });
      });
    }
    return cards;
    // `toggle` only calls setExpanded.
  }, [dag, positions, statuses, selected, items, expanded, runId]);

  if (!positions) return <div className="graph-placeholder muted">Laying out {dag.nodes.length} nodes…</div>;
  return (
    <div className="flow" data-testid="dag-graph" data-layout="graph">
      <ReactFlow
        // A new layout (items shown or hidden) mounts afresh once it is computed, so fitView frames the new nodes too.
        key={Object.keys(positions).length}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        minZoom={0.05}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_e, n) => onSelect?.(n.type === 'item' ? n.data.map : n.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
        {dag.nodes.length > 30 && <MiniMap pannable zoomable nodeColor={(n) => STATE_COLOURS[statuses?.get(n.id)?.state ?? ''] ?? '#c9ced6'} />}
      </ReactFlow>
    </div>
  );
}
