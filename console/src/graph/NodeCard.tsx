/**
 * One node of the graph: its id, what it runs, and its live state: attempts
 * and heartbeat progress while running, the reason while waiting or skipped,
 * the error when failed, items done/total for a map node. Hovering shows its
 * settings (retry, timeouts, when, trigger, map).
 */
import type { CompiledNode, NodeStatus } from '../types';
import { settingsLines } from './settings';

export function stateLine(s: NodeStatus | undefined): string {
  if (!s) return '';
  switch (s.state) {
    case 'running': {
      const parts = [`attempt ${s.attempts ?? 1}`];
      if (s.progress) parts.push(`${s.progress.done}/${s.progress.total}${s.progress.note ? ` ${s.progress.note}` : ''}`);
      return parts.join(' · ');
    }
    case 'waiting':
    case 'skipped':
    case 'cancelled':
      return s.reason ?? '';
    case 'failed':
      return s.error?.message ?? 'failed';
    case 'succeeded':
      return s.reused ? 'reused from an earlier run' : s.attempts && s.attempts > 1 ? `after ${s.attempts} attempts` : '';
    default:
      return '';
  }
}

export function itemsLine(s: NodeStatus | undefined): string | undefined {
  if (!s?.items) return undefined;
  const done = s.items.succeeded + s.items.failed;
  return `items ${done}/${s.items.total}${s.items.failed ? ` (${s.items.failed} failed)` : ''}`;
}

interface Props {
  node: CompiledNode;
  status?: NodeStatus;
  selected?: boolean;
}

export function NodeCard({ node, status, selected }: Props): React.JSX.Element {
  const state = status?.state ?? 'plan';
  const items = itemsLine(status);
  const progress = status?.state === 'running' && status.progress && status.progress.total > 0 ? status.progress.done / status.progress.total : undefined;
  return (
    <div className={`node-card state-${state}${selected ? ' selected' : ''}`} data-node={node.id} data-state={state}>
      <div className="node-head">
        <span className="node-id">{node.id}</span>
        {status && <span className={`badge state-${state}`}>{state}</span>}
      </div>
      <div className="node-sub">{node.kind === 'approval' ? 'approval' : node.call?.activity}{node.map ? ' · map' : ''}</div>
      {items && <div className="node-sub">{items}</div>}
      <div className="node-line" title={stateLine(status)}>{stateLine(status)}</div>
      {progress !== undefined && <div className="progress"><div style={{ width: `${Math.round(progress * 100)}%` }} /></div>}
      <div className="node-settings" role="tooltip">
        {settingsLines(node).map((l) => (
          <div key={l}>{l}</div>
        ))}
      </div>
    </div>
  );
}
