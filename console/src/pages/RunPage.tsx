/**
 * One run: its DAG drawn with every node's live state, the timeline beside
 * it, the selected node's details, and the run's actions (cancel, retry from
 * failed). The graph comes from the DAG the run executes, the states from
 * the same status query the CLI reads.
 *
 * The page draws in two steps. The run in brief and its DAG come from one
 * cheap request, so the header and the graph are on screen at once; the
 * states follow on the event stream. For a closed run that is the slow part:
 * the status query replays the whole execution (the API keeps the answer
 * afterwards, src/client/closed-runs.ts).
 */
import { useEffect, useMemo, useState } from 'react';
import type { PackedDag } from '../../../src/dag/pack';
import { unpackDag } from '../../../src/dag/pack';
import { api, enc } from '../api';
import { DagGraph } from '../graph/DagGraph';
import { linkProps } from '../router';
import type { CompiledDag, NodeStatus, RunHead, Session } from '../types';
import { NODE_STATES } from '../types';
import { ActionDialog, type ActionRequest } from '../ui/ActionDialog';
import { duration, executionLabel, formatTime, prettyJson } from '../ui/format';
import { cancelAction, retryFromFailedAction } from '../run/actions';
import { NodeDetails } from '../run/NodeDetails';
import { Timeline } from '../run/Timeline';
import { useRunEvents } from '../run/useRunEvents';

export function RunPage({ id, session }: { id: string; session: Session }): React.JSX.Element {
  const [epoch, setEpoch] = useState(0);
  const live = useRunEvents(id, epoch);
  const [dag, setDag] = useState<CompiledDag | undefined>();
  const [head, setHead] = useState<RunHead | undefined>();
  const [dagError, setDagError] = useState<string | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [action, setAction] = useState<ActionRequest | undefined>();

  useEffect(() => {
    api<{ run: RunHead; dag: PackedDag }>('GET', `/v1/console/runs/${enc(id)}/dag`).then(
      (r) => {
        setHead(r.run);
        setDag(unpackDag(r.dag));
      },
      (e: Error) => setDagError(e.message),
    );
  }, [id]);

  const view = live.view;
  // The header from the live view once it is there, from the brief until then.
  const run = view ?? head;
  const statuses = useMemo(() => new Map<string, NodeStatus>((view?.status?.nodes ?? []).map((n) => [n.id, n])), [view]);
  const selectedNode = selected ? dag?.nodes.find((n) => n.id === selected) : undefined;
  const running = run?.execution === 'RUNNING';
  // Actions wait for the live view: they act on what its states show.
  const closed = view !== undefined && view.execution !== 'RUNNING';

  if (live.error && !view) return <p className="error">{live.error}</p>;
  if (!run) return <p className={dagError ? 'error' : 'muted'}>{dagError ?? `Loading run ${id}…`}</p>;
  const ui = session.temporalUiUrl ? `${session.temporalUiUrl}/namespaces/${enc(session.namespace)}/workflows/${enc(run.id)}/${enc(run.runId)}/history` : undefined;

  return (
    <div className="run-page">
      <div className="run-head">
        <h1>
          {run.id} <span className={`badge exec-${executionLabel(run.execution)}`} data-testid="run-execution">{executionLabel(run.execution)}</span>
        </h1>
        <div className="muted">
          DAG <a {...linkProps({ page: 'dags', name: run.dag ?? '' })}>{run.dag}</a> · started {formatTime(run.startedAt)} · {duration(run.startedAt, run.closedAt)}
          {view?.status && view.status.generation > 0 ? ` · generation ${view.status.generation}` : ''} · {live.mode}
          {ui && (
            <>
              {' · '}
              <a href={ui} target="_blank" rel="noreferrer">open in Temporal UI</a>
            </>
          )}
        </div>
        <div className="buttons">
          {running && <button type="button" className="danger" onClick={() => setAction(cancelAction(run.id))}>Cancel run</button>}
          {closed && view.execution !== 'COMPLETED' && <button type="button" className="primary" onClick={() => setAction(retryFromFailedAction(view.id))}>Retry from failed</button>}
        </div>
        {view?.status && (
          <div className="counts" aria-label="node counts">
            {NODE_STATES.filter((s) => view.status!.counts[s]).map((s) => (
              <span key={s} className={`badge state-${s}`}>{view.status!.counts[s]} {s}</span>
            ))}
          </div>
        )}
        {view?.failure && <p className="error">{view.failure.type ? `${view.failure.type}: ` : ''}{view.failure.message}</p>}
      </div>
      <div className="run-body">
        <div className="graph-pane">
          {dag ? (
            <DagGraph dag={dag} statuses={statuses} selected={selected} onSelect={setSelected} runId={run.id} statesPending={!view} />
          ) : (
            <p className={dagError ? 'error' : 'muted'}>{dagError ?? 'Loading the DAG…'}</p>
          )}
          <h3>Timeline</h3>
          <Timeline nodes={view?.status?.nodes ?? []} closedAt={run.closedAt} onSelect={setSelected} />
        </div>
        <aside className="side-pane">
          {selectedNode ? (
            <NodeDetails runId={run.id} node={selectedNode} status={statuses.get(selectedNode.id)} running={running} closed={closed} onAction={setAction} />
          ) : (
            <p className="muted">Select a node to see its input, output, error and attempts.</p>
          )}
          {view?.result !== undefined && (
            <>
              <h4>Run result</h4>
              <pre>{prettyJson(view.result)}</pre>
            </>
          )}
        </aside>
      </div>
      {action && (
        <ActionDialog
          request={action}
          onClose={(done) => {
            setAction(undefined);
            if (done) setEpoch((e) => e + 1);
          }}
        />
      )}
    </div>
  );
}
