/**
 * The schedules Weft manages: when each fires next, its recent runs, and
 * pause, unpause and trigger-now (each confirmed, with its result shown).
 */
import { useCallback, useEffect, useState } from 'react';
import { api, enc } from '../api';
import { linkProps } from '../router';
import { ActionDialog, type ActionRequest } from '../ui/ActionDialog';
import { formatTime } from '../ui/format';

interface ScheduleView {
  id: string;
  dag: string;
  spec?: Record<string, unknown>;
  state: { paused: boolean; note?: string };
  info: { nextActionTimes: string[]; recentActions: { workflowId?: string; scheduledAt?: string; takenAt?: string }[]; numActionsTaken: number };
}

/** The timing fields of a schedule's definition, as one line. */
function when(spec: Record<string, unknown> | undefined): string {
  if (!spec) return '';
  return ['cron', 'every', 'interval', 'calendar', 'timezone', 'overlap']
    .filter((k) => spec[k] !== undefined)
    .map((k) => `${k} ${typeof spec[k] === 'string' ? spec[k] : JSON.stringify(spec[k])}`)
    .join(' · ');
}

export function SchedulesPage(): React.JSX.Element {
  const [schedules, setSchedules] = useState<ScheduleView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [action, setAction] = useState<ActionRequest | undefined>();

  const load = useCallback(() => {
    api<{ schedules: ScheduleView[] }>('GET', '/v1/schedules').then((r) => setSchedules(r.schedules), (e: Error) => setError(e.message));
  }, []);
  useEffect(load, [load]);

  const act = (s: ScheduleView, kind: 'pause' | 'unpause' | 'trigger'): ActionRequest => ({
    title: `${kind === 'trigger' ? 'Trigger' : kind === 'pause' ? 'Pause' : 'Unpause'} ${s.id}`,
    description: kind === 'trigger' ? `Starts a run of ${s.dag} now, outside the schedule.` : kind === 'pause' ? 'No runs start until it is unpaused.' : 'Runs start again at the scheduled times.',
    confirmLabel: kind,
    withReason: kind !== 'trigger',
    run: async (reason) => {
      if (kind === 'trigger') {
        const r = await api<{ action: { workflowId?: string } | null }>('POST', `/v1/schedules/${enc(s.id)}/trigger`, {});
        return r.action?.workflowId ? `Started ${r.action.workflowId}.` : 'Triggered; the run will appear shortly.';
      }
      await api('POST', `/v1/schedules/${enc(s.id)}/${kind}`, reason ? { note: reason } : {});
      return kind === 'pause' ? 'Paused.' : 'Unpaused.';
    },
  });

  return (
    <div>
      <h1>Schedules</h1>
      {error && <p className="error">{error}</p>}
      {schedules?.length === 0 && <p className="muted">No schedules. Add schedules.yaml to the DAGs folder, or run weft schedules apply.</p>}
      <table>
        <thead><tr><th>Schedule</th><th>DAG</th><th>When</th><th>Next runs</th><th>Recent</th><th>State</th><th /></tr></thead>
        <tbody>
          {schedules?.map((s) => (
            <tr key={s.id}>
              <td>{s.id}</td>
              <td><a {...linkProps({ page: 'dags', name: s.dag })}>{s.dag}</a></td>
              <td className="muted">{when(s.spec)}</td>
              <td>{s.state.paused ? <span className="muted">paused</span> : s.info.nextActionTimes.slice(0, 3).map((t) => <div key={t}>{formatTime(t)}</div>)}</td>
              <td>
                {s.info.recentActions.slice(-3).map((a) => a.workflowId && <div key={a.workflowId}><a {...linkProps({ page: 'run', id: a.workflowId })}>{formatTime(a.takenAt ?? a.scheduledAt)}</a></div>)}
                <span className="muted">{s.info.numActionsTaken} runs</span>
              </td>
              <td><span className={`badge ${s.state.paused ? 'state-waiting' : 'state-succeeded'}`}>{s.state.paused ? 'paused' : 'active'}</span>{s.state.note && <div className="muted">{s.state.note}</div>}</td>
              <td className="buttons">
                <button type="button" onClick={() => setAction(act(s, s.state.paused ? 'unpause' : 'pause'))}>{s.state.paused ? 'Unpause' : 'Pause'}</button>
                <button type="button" className="primary" onClick={() => setAction(act(s, 'trigger'))}>Trigger now</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {action && <ActionDialog request={action} onClose={() => { setAction(undefined); load(); }} />}
    </div>
  );
}
