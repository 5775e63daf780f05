/**
 * The DAG as a React Flow graph, laid out by ELK in a worker. Used up to
 * FULL_GRAPH_LIMIT nodes; bigger DAGs get the layer view (LayerView.tsx).
 * The layout is computed once per DAG; live status changes only restyle the
 * nodes, so updates never move them.
 */
import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import type { CompiledDag, CompiledNode, NodeStatus } from '../types';
import { layout } from './layout';
import { NodeCard } from './NodeCard';

type CardData = { node: CompiledNode; status?: NodeStatus; selected: boolean };
type CardNode = Node<CardData, 'card'>;

/** Edges attach to handles; the graph is read-only, so they are only anchors. */
function Card({ data }: NodeProps<CardNode>): React.JSX.Element {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <NodeCard node={data.node} status={data.status} selected={data.selected} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
}

const nodeTypes = { card: Card };

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
}

export function FlowGraph({ dag, statuses, selected, onSelect }: Props): React.JSX.Element {
  const [positions, setPositions] = useState<Record<string, { x: number; y: number }> | undefined>();

  useEffect(() => {
    let live = true;
    setPositions(undefined);
    void layout(dag.nodes).then((p) => live && setPositions(p));
    return () => {
      live = false;
    };
  }, [dag]);

  const edges = useMemo<Edge[]>(
    () => dag.nodes.flatMap((n) => n.after.map((a) => ({ id: `${a}->${n.id}`, source: a, target: n.id, animated: statuses?.get(n.id)?.state === 'running' }))),
    [dag, statuses],
  );

  const nodes = useMemo<CardNode[]>(
    () =>
      positions
        ? dag.nodes.map((n) => ({
            id: n.id,
            type: 'card',
            position: positions[n.id] ?? { x: 0, y: 0 },
            data: { node: n, status: statuses?.get(n.id), selected: n.id === selected },
            draggable: false,
            connectable: false,
          }))
        : [],
    [dag, positions, statuses, selected],
  );

  if (!positions) return <div className="graph-placeholder muted">Laying out {dag.nodes.length} nodes…</div>;
  return (
    <div className="flow" data-testid="dag-graph" data-layout="graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        minZoom={0.05}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_e, n) => onSelect?.(n.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
        {dag.nodes.length > 30 && <MiniMap pannable zoomable nodeColor={(n) => STATE_COLOURS[statuses?.get(n.id)?.state ?? ''] ?? '#c9ced6'} />}
      </ReactFlow>
    </div>
  );
}
