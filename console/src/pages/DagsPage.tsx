/**
 * The DAG catalog with each definition's validity, and for the selected DAG
 * its plan (the graph before any run, settings on hover) and a start form.
 */
import { useEffect, useState } from 'react';
import type { PackedDag } from '../../../src/dag/pack';
import { unpackDag } from '../../../src/dag/pack';
import { api, enc } from '../api';
import { DagGraph } from '../graph/DagGraph';
import { StartForm } from '../dags/StartForm';
import { linkProps } from '../router';
import type { CompiledDag, DagSummary, JsonSchema } from '../types';
import type { RemotePlan } from '../graph/layerSource';

/** What the plan route answers: the DAG whole (packed) up to 2,000 nodes, its head and layers above. */
interface PlanResponse {
  name: string;
  nodeCount: number;
  dag?: PackedDag;
  head?: { description?: string; inputSchema?: JsonSchema; concurrency: number; onFailure: string };
  layers?: RemotePlan['layers'];
}

interface Plan {
  name: string;
  nodeCount: number;
  description?: string;
  inputSchema?: JsonSchema;
  concurrency: number;
  onFailure: string;
  dag?: CompiledDag;
  remote?: RemotePlan;
}

function planOf(r: PlanResponse): Plan {
  if (r.dag) {
    const dag = unpackDag(r.dag);
    return { name: r.name, nodeCount: r.nodeCount, description: dag.description, inputSchema: dag.inputSchema, concurrency: dag.concurrency, onFailure: dag.onFailure, dag };
  }
  const head = r.head ?? { concurrency: 0, onFailure: '' };
  return { name: r.name, nodeCount: r.nodeCount, ...head, remote: { name: r.name, nodeCount: r.nodeCount, layers: r.layers ?? [] } };
}

export function DagsPage({ name }: { name?: string }): React.JSX.Element {
  const [dags, setDags] = useState<DagSummary[] | undefined>();
  const [detail, setDetail] = useState<Plan | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    setDetail(undefined);
    const list = (): void => void api<{ dags: DagSummary[] }>('GET', '/v1/dags').then((r) => setDags(r.dags), (e: Error) => setError(e.message));
    if (!name) return list();
    // The API compiles every definition for the catalog; asking after the plan keeps a huge DAG from being compiled twice at once.
    // A plan comes packed and is unpacked by the server's own code; a large one comes by layers, its nodes on demand.
    api<PlanResponse>('GET', `/v1/console/dags/${enc(name)}/plan`)
      .then((r) => setDetail(planOf(r)), (e: Error) => setError(e.message))
      .finally(list);
  }, [name]);

  return (
    <div className="dags-page">
      <aside className="catalog">
        <h1>DAGs</h1>
        {!dags && !error && <p className="muted">Loading…</p>}
        <ul>
          {dags?.map((d) => (
            <li key={d.file} className={d.name === name ? 'selected' : ''}>
              {d.name ? <a {...linkProps({ page: 'dags', name: d.name })}>{d.name}</a> : <span>{d.file}</span>}{' '}
              <span className={`badge ${d.ok ? 'state-succeeded' : 'state-failed'}`}>{d.ok ? 'valid' : 'invalid'}</span>
              <div className="muted">{d.file} · {d.nodes} nodes</div>
              {d.description && <div className="muted">{d.description}</div>}
              {!d.ok && (
                <ul className="issues">
                  {d.issues.slice(0, 10).map((i) => <li key={`${i.path}:${i.message}`}><code>{i.path}</code> {i.message}</li>)}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </aside>
      <section className="plan">
        {error && <p className="error">{error}</p>}
        {!name && <p className="muted">Pick a DAG to see its plan and start a run.</p>}
        {name && !detail && !error && <p className="muted">Loading {name}…</p>}
        {detail && (
          <>
            <h2>{detail.name}</h2>
            {detail.description && <p>{detail.description}</p>}
            <p className="muted">
              {detail.nodeCount.toLocaleString()} nodes · concurrency {detail.concurrency} · onFailure {detail.onFailure} · hover a node for its settings
            </p>
            <div className="plan-body">
              <div className="graph-pane"><DagGraph dag={detail.dag} plan={detail.remote} /></div>
              <div className="side-pane"><StartForm key={detail.name} dag={detail.name} schema={detail.inputSchema} /></div>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
