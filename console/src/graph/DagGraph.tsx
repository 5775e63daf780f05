/**
 * The DAG of the plan view and of a run: a laid-out graph while it stays
 * readable and quick, the layer view above FULL_GRAPH_LIMIT nodes (or when
 * the user asks for it). A large plan the API serves by layers (`plan`) only
 * has the layer view.
 */
import { useMemo, useState } from 'react';
import type { CompiledDag, NodeStatus } from '../types';
import { FlowGraph } from './FlowGraph';
import { LayerView } from './LayerView';
import { localSource, remoteSource, type RemotePlan } from './layerSource';

/** Above this many nodes the graph starts as layers: ELK and the DOM both slow down past a few hundred. */
export const FULL_GRAPH_LIMIT = 300;
/** The graph can still be asked for up to here; beyond it, only layers (the API's INLINE_NODES). */
const MAX_GRAPH = 2000;

interface Props {
  /** The DAG in memory, or… */
  dag?: CompiledDag;
  /** …a large plan, whose nodes the API gives a layer page at a time. */
  plan?: RemotePlan;
  statuses?: ReadonlyMap<string, NodeStatus>;
  selected?: string;
  onSelect?: (id: string) => void;
  /** A run's graph: its map nodes expand to their items. */
  runId?: string;
  /** A run's graph whose node states have not arrived yet (the graph is drawn before them). */
  statesPending?: boolean;
}

export function DagGraph({ dag, plan, ...props }: Props): React.JSX.Element {
  const n = dag?.nodes.length ?? plan?.nodeCount ?? 0;
  const [asGraph, setAsGraph] = useState(dag !== undefined && n <= FULL_GRAPH_LIMIT);
  const source = useMemo(() => (dag ? localSource(dag) : plan ? remoteSource(plan) : undefined), [dag, plan]);
  return (
    <div className="dag-graph" data-states={props.runId === undefined ? 'plan' : props.statesPending ? 'loading' : 'live'}>
      {props.statesPending && <p className="muted states-loading">Loading node states…</p>}
      {dag && n > FULL_GRAPH_LIMIT && n <= MAX_GRAPH && (
        <button type="button" className="link" onClick={() => setAsGraph(!asGraph)}>
          {asGraph ? 'Show by layer' : `Draw all ${n} nodes as a graph`}
        </button>
      )}
      {asGraph && dag ? <FlowGraph dag={dag} {...props} /> : source ? <LayerView source={source} {...props} /> : null}
    </div>
  );
}
