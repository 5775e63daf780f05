/** FIFO queues: for each key, its length, the jobs running and the next ones, refreshed every few seconds. */
import { useCallback, useEffect, useState } from 'react';
import { api, enc } from '../api';
import { linkProps } from '../router';

interface JobRecord {
  jobId: string;
  seq: number;
  state: string;
  runId?: string;
  acceptedAt: number;
}

interface QueueStatus {
  key: string;
  length: number;
  running: JobRecord[];
  next: JobRecord[];
  counts: Record<string, number>;
}

const REFRESH_MS = 3000;

function Job({ job }: { job: JobRecord }): React.JSX.Element {
  return (
    <div>
      #{job.seq} {job.runId ? <a {...linkProps({ page: 'run', id: job.runId })}>{job.jobId}</a> : job.jobId} <span className="muted">{new Date(job.acceptedAt).toLocaleTimeString()}</span>
    </div>
  );
}

export function QueuesPage(): React.JSX.Element {
  const [queues, setQueues] = useState<QueueStatus[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(() => {
    api<{ queues: { key: string }[] }>('GET', '/v1/console/queues')
      .then((r) => Promise.all(r.queues.map((q) => api<QueueStatus>('GET', `/v1/queues/${enc(q.key)}`))))
      .then(setQueues, (e: Error) => setError(e.message));
  }, []);
  useEffect(() => {
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  return (
    <div>
      <h1>Queues</h1>
      {error && <p className="error">{error}</p>}
      {queues?.length === 0 && <p className="muted">No FIFO queue is running. Jobs added with weft queue add or POST /v1/queues/:key/jobs appear here.</p>}
      <table>
        <thead><tr><th>Queue</th><th>Length</th><th>Running</th><th>Next</th><th>Done</th></tr></thead>
        <tbody>
          {queues?.map((q) => (
            <tr key={q.key}>
              <td>{q.key}</td>
              <td>{q.length}</td>
              <td>{q.running.map((j) => <Job key={j.jobId} job={j} />)}</td>
              <td>{q.next.slice(0, 5).map((j) => <Job key={j.jobId} job={j} />)}{q.next.length > 5 && <span className="muted">+{q.next.length - 5} more</span>}</td>
              <td className="muted">{Object.entries(q.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
