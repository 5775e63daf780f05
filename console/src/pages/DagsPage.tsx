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
import type { CompiledDag, DagSummary } from '../types';

export function DagsPage({ name }: { name?: string }): React.JSX.Element {
  const [dags, setDags] = useState<DagSummary[] | undefined>();
  const [detail, setDetail] = useState<{ name: string; dag: CompiledDag } | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    setDetail(undefined);
    const list = (): void => void api<{ dags: DagSummary[] }>('GET', '/v1/dags').then((r) => setDags(r.dags), (e: Error) => setError(e.message));
    if (!name) return list();
    // The API compiles every definition for the catalog; asking after the plan keeps a huge DAG from being compiled twice at once.
    // The plan comes packed (a fifth of the compiled JSON for a 100,000-node DAG) and is unpacked here by the server's own code.
    api<{ name: string; dag: PackedDag }>('GET', `/v1/console/dags/${enc(name)}/plan`)
      .then((r) => setDetail({ name: r.name, dag: unpackDag(r.dag) }), (e: Error) => setError(e.message))
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
            {detail.dag.description && <p>{detail.dag.description}</p>}
            <p className="muted">
              {detail.dag.nodes.length} nodes · concurrency {detail.dag.concurrency} · onFailure {detail.dag.onFailure} · hover a node for its settings
            </p>
            <div className="plan-body">
              <div className="graph-pane"><DagGraph dag={detail.dag} /></div>
              <div className="side-pane"><StartForm key={detail.name} dag={detail.name} schema={detail.dag.inputSchema} /></div>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
