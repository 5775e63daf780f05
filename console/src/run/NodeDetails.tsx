/**
 * The selected node: state, attempts, times, idempotency key, the evaluated
 * input and the output (decoded by the API through the payload codec), the
 * error with its stack, a map node's items, whether it ran as a local
 * activity, and the decisions it waits for. In a run that continued-as-new,
 * the API reads the node from the execution it ran in, and this says which.
 */
import { useEffect, useState } from 'react';
import { api, enc } from '../api';
import type { ActionRequest } from '../ui/ActionDialog';
import type { CompiledNode, NodeDetail, NodeStatus } from '../types';
import { duration, formatTime, prettyJson } from '../ui/format';
import { ModeMarker, itemsLine } from '../graph/NodeCard';
import { settingsLines } from '../graph/settings';
import { approveAction, resolveAction, retryFromFailedAction } from './actions';

interface Props {
  runId: string;
  node: CompiledNode;
  status?: NodeStatus;
  running: boolean;
  /** The run has closed (so it can be retried). */
  closed: boolean;
  onAction: (a: ActionRequest) => void;
}

export function NodeDetails({ runId, node, status, running, closed, onAction }: Props): React.JSX.Element {
  const [detail, setDetail] = useState<NodeDetail | undefined>();
  const [error, setError] = useState<string | undefined>();
  // Reload when the node's state or attempt changes, not on every progress tick.
  const version = `${status?.state}/${status?.attempts}/${status?.endedAt}`;
  useEffect(() => {
    let live = true;
    setError(undefined);
    api<NodeDetail>('GET', `/v1/console/runs/${enc(runId)}/nodes/${enc(node.id)}`).then(
      (d) => live && setDetail(d),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [runId, node.id, version]);

  const waiting = running && status?.state === 'waiting';
  // The execution the node's (latest) activity ran in, when it is not the current one.
  const ranIn = detail?.activity && detail.executions.length > 1 && detail.activity.runId !== detail.executions[0] ? detail.activity.runId : undefined;
  const local = status?.mode === 'local';
  const err = detail?.activity?.error ?? (status?.error ? { ...status.error, stack: undefined } : undefined);
  return (
    <section className="details" aria-label={`node ${node.id}`}>
      <h3>
        {node.id} <ModeMarker status={local ? { id: node.id, state: status?.state ?? 'pending', mode: 'local' } : undefined} />
        <span className={`badge state-${status?.state ?? 'pending'}`}>{status?.state ?? 'pending'}</span>
      </h3>
      {waiting && node.kind === 'approval' && (
        <div className="buttons">
          <button type="button" className="primary" onClick={() => onAction(approveAction(runId, node.id, 'approve'))}>Approve</button>
          <button type="button" className="danger" onClick={() => onAction(approveAction(runId, node.id, 'reject'))}>Reject</button>
        </div>
      )}
      {waiting && node.onError === 'ask' && node.kind !== 'approval' && (
        <div className="buttons">
          {(['retry', 'skip', 'abort'] as const).map((a) => (
            <button type="button" key={a} className={a === 'abort' ? 'danger' : 'primary'} onClick={() => onAction(resolveAction(runId, node.id, a))}>
              {a}
            </button>
          ))}
        </div>
      )}
      {closed && (status?.state === 'failed' || status?.state === 'skipped' || status?.state === 'cancelled') && (
        <div className="buttons">
          <button type="button" className="primary" onClick={() => onAction(retryFromFailedAction(runId))}>Retry from failed</button>
        </div>
      )}
      <dl>
        {status?.reason && (<><dt>Reason</dt><dd>{status.reason}</dd></>)}
        <dt>Idempotency key</dt>
        <dd><code>{detail?.idempotencyKey ?? `${runId}/${node.id}`}</code></dd>
        {node.call && (<><dt>Runs as</dt><dd data-testid="node-mode">{local ? 'a local activity (in the workflow task; no heartbeats; input not in history)' : 'an activity'}</dd></>)}
        {ranIn && (<><dt>Execution</dt><dd data-testid="node-execution">ran in an earlier execution, <code>{ranIn}</code>, before the run continued-as-new ({detail!.executions.length} executions read)</dd></>)}
        <dt>Attempts</dt>
        <dd>{status?.attempts ?? detail?.activity?.attempt ?? 0}</dd>
        {status?.startedAt && (<><dt>Started</dt><dd>{formatTime(status.startedAt)} ({duration(status.startedAt, status.endedAt)})</dd></>)}
        {status?.progress && (<><dt>Progress</dt><dd>{status.progress.done}/{status.progress.total} {status.progress.note}</dd></>)}
        {status?.items && (<><dt>Items</dt><dd>{itemsLine(status)}, {status.items.running} running</dd></>)}
        {status?.reused && (<><dt>Output</dt><dd>reused from an earlier run</dd></>)}
      </dl>
      {err && (
        <>
          <h4>Error</h4>
          <pre className="error-box">{`${err.type ? `${err.type}: ` : ''}${err.message}${err.stack ? `\n${err.stack}` : ''}`}</pre>
        </>
      )}
      {error && <p className="error">{error}</p>}
      <h4>Input</h4>
      <pre>{!detail && !error ? 'Loading…' : detail?.activity ? prettyJson(detail.activity.input) : local ? '(a local activity: its evaluated input is not recorded in history)' : node.call ? `(not scheduled yet) template:\n${prettyJson(node.call.input)}` : '(none)'}</pre>
      <h4>Output</h4>
      <pre>{!detail && !error ? 'Loading…' : prettyJson(detail?.status?.output)}</pre>
      {detail?.items && (
        <>
          <h4>Items ({detail.items.length}{detail.truncated ? '+' : ''})</h4>
          <ul className="items">
            {detail.items.map((it) => (
              <li key={it.activityId} data-item={it.activityId}>
                #{it.index} <span className={`badge item-${it.state}`}>{it.state}</span> attempt {it.attempt ?? 0}
                {detail.executions.length > 1 && it.runId !== detail.executions[0] && <span className="muted"> (earlier execution)</span>}
                {it.error && <span className="error"> {it.error.message}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>Settings</h4>
      <ul className="settings">
        {settingsLines(node).map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </section>
  );
}
