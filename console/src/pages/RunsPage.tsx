/**
 * Runs, newest first: filters (DAG, status, time range, id prefix), counts by
 * status, and pages that follow the API's next-page tokens, so the tenth
 * page of 10,000 runs costs what the first does. The current page and the
 * counts refresh every few seconds.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, queryString } from '../api';
import { linkProps } from '../router';
import type { DagSummary, RunSummary } from '../types';
import { duration, executionLabel, formatTime } from '../ui/format';

const REFRESH_MS = 3000;
const PAGE_SIZE = 50;
const STATUSES = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;

interface Filters {
  dag: string;
  status: string;
  since: string;
  until: string;
  idPrefix: string;
}

const EMPTY: Filters = { dag: '', status: '', since: '', until: '', idPrefix: '' };

/** datetime-local values are local times; the API wants ISO with an offset. */
const iso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

export function RunsPage(): React.JSX.Element {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  // tokens[i] is the token of page i (page 0 has none).
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [counts, setCounts] = useState<{ total: number; byStatus: Record<string, number> } | undefined>();
  const [dags, setDags] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    api<{ dags: DagSummary[] }>('GET', '/v1/dags').then((r) => setDags(r.dags.flatMap((d) => (d.name ? [d.name] : []))), () => setDags([]));
  }, []);

  const load = useCallback(() => {
    const f = { dag: filters.dag || undefined, since: iso(filters.since), until: iso(filters.until), idPrefix: filters.idPrefix || undefined };
    const q = queryString({ ...f, status: filters.status || undefined, pageSize: PAGE_SIZE, pageToken: tokens[page] });
    api<{ runs: RunSummary[]; nextPageToken?: string }>('GET', `/v1/console/runs${q}`).then(
      (r) => {
        setError(undefined);
        setRuns(r.runs);
        setTokens((t) => (t[page + 1] === r.nextPageToken ? t : [...t.slice(0, page + 1), r.nextPageToken]));
      },
      (e: Error) => setError(e.message),
    );
    api<{ total: number; byStatus: Record<string, number> }>('GET', `/v1/console/runs/counts${queryString(f)}`).then(setCounts, () => setCounts(undefined));
  }, [filters, tokens, page]);

  useEffect(() => {
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const apply = (e: React.FormEvent): void => {
    e.preventDefault();
    setFilters(draft);
    setTokens([undefined]);
    setPage(0);
  };
  const field = (k: keyof Filters) => ({ value: draft[k], onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft({ ...draft, [k]: e.target.value }) });

  return (
    <div>
      <h1>Runs</h1>
      <form className="filters" onSubmit={apply} aria-label="filters">
        <label>DAG<select name="dag" {...field('dag')}><option value="">any</option>{dags.map((d) => <option key={d}>{d}</option>)}</select></label>
        <label>Status<select name="status" {...field('status')}><option value="">any</option>{STATUSES.map((s) => <option key={s}>{s}</option>)}</select></label>
        <label>Since<input type="datetime-local" name="since" {...field('since')} /></label>
        <label>Until<input type="datetime-local" name="until" {...field('until')} /></label>
        <label>Id starts with<input name="idPrefix" {...field('idPrefix')} /></label>
        <button type="submit" className="primary">Apply</button>
      </form>
      {counts && (
        <div className="counts" aria-label="run counts">
          <span className="badge">{counts.total} total</span>
          {Object.entries(counts.byStatus).map(([s, n]) => (
            <button type="button" key={s} className={`badge exec-${s}`} onClick={() => { setDraft({ ...draft, status: s }); setFilters({ ...filters, status: s }); setTokens([undefined]); setPage(0); }}>
              {n} {s}
            </button>
          ))}
        </div>
      )}
      {error && <p className="error">{error}</p>}
      <table className="runs">
        <thead><tr><th>Run</th><th>DAG</th><th>Status</th><th>Started</th><th>Duration</th></tr></thead>
        <tbody>
          {runs.map((r) => (
            <tr key={`${r.id}/${r.runId}`}>
              <td><a {...linkProps({ page: 'run', id: r.id })}>{r.id}</a></td>
              <td>{r.dag}</td>
              <td><span className={`badge exec-${executionLabel(r.execution)}`}>{executionLabel(r.execution)}</span></td>
              <td>{formatTime(r.startedAt)}</td>
              <td>{duration(r.startedAt, r.closedAt)}</td>
            </tr>
          ))}
          {runs.length === 0 && <tr><td colSpan={5} className="muted">No runs match.</td></tr>}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>← Newer</button>
        <span className="muted">page {page + 1}</span>
        <button type="button" disabled={!tokens[page + 1]} onClick={() => setPage(page + 1)}>Older →</button>
      </div>
    </div>
  );
}
