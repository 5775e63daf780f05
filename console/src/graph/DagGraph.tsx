/**
 * The DAG of the plan view and of a run: a laid-out graph while it stays
 * readable and quick, the layer view above FULL_GRAPH_LIMIT nodes (or when
 * the user asks for it).
 */
import { useState } from 'react';
import type { CompiledDag, NodeStatus } from '../types';
import { FlowGraph } from './FlowGraph';
import { LayerView } from './LayerView';

/** Above this many nodes the graph starts as layers: ELK and the DOM both slow down past a few hundred. */
export const FULL_GRAPH_LIMIT = 300;
/** The graph can still be asked for up to here; beyond it, only layers. */
const MAX_GRAPH = 2000;

interface Props {
  dag: CompiledDag;
  statuses?: ReadonlyMap<string, NodeStatus>;
  selected?: string;
  onSelect?: (id: string) => void;
  /** A run's graph: its map nodes expand to their items. */
  runId?: string;
  /** A run's graph whose node states have not arrived yet (the graph is drawn before them). */
  statesPending?: boolean;
}

export function DagGraph(props: Props): React.JSX.Element {
  const n = props.dag.nodes.length;
  const [asGraph, setAsGraph] = useState(n <= FULL_GRAPH_LIMIT);
  return (
    <div className="dag-graph" data-states={props.runId === undefined ? 'plan' : props.statesPending ? 'loading' : 'live'}>
      {props.statesPending && <p className="muted states-loading">Loading node states…</p>}
      {n > FULL_GRAPH_LIMIT && n <= MAX_GRAPH && (
        <button type="button" className="link" onClick={() => setAsGraph(!asGraph)}>
          {asGraph ? 'Show by layer' : `Draw all ${n} nodes as a graph`}
        </button>
      )}
      {asGraph ? <FlowGraph {...props} /> : <LayerView {...props} />}
    </div>
  );
}
