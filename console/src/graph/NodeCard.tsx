/**
 * One node of the graph: its id, what it runs, and its live state: attempts
 * and heartbeat progress while running, the reason while waiting or skipped,
 * the error when failed, items done/total for a map node (with a toggle that
 * draws its items), and a "local" marker when its activity ran as a local
 * one. Hovering shows its settings (retry, timeouts, when, trigger, map).
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

/** The marker of a node whose activity ran as a local activity; nothing for remote (or a status without `mode`). */
export function ModeMarker({ status }: { status: NodeStatus | undefined }): React.JSX.Element | null {
  if (status?.mode !== 'local') return null;
  return (
    <span className="mode-marker" data-mode="local" title="Ran as a local activity: inside the workflow's task, with no heartbeats or progress, and its input is not in history">
      local
    </span>
  );
}

interface Props {
  node: CompiledNode;
  status?: NodeStatus;
  selected?: boolean;
  /** Map nodes of a run: whether the items are drawn, and the toggle. */
  expanded?: boolean;
  onToggle?: (id: string) => void;
}

export function NodeCard({ node, status, selected, expanded, onToggle }: Props): React.JSX.Element {
  const state = status?.state ?? 'plan';
  const items = itemsLine(status);
  const progress = status?.state === 'running' && status.progress && status.progress.total > 0 ? status.progress.done / status.progress.total : undefined;
  return (
    <div className={`node-card state-${state}${selected ? ' selected' : ''}`} data-node={node.id} data-state={state}>
      <div className="node-head">
        <span className="node-id">{node.id}</span>
        <span>
          <ModeMarker status={status} />
          {status && <span className={`badge state-${state}`}>{state}</span>}
        </span>
      </div>
      <div className="node-sub">{node.kind === 'approval' ? 'approval' : node.call?.activity}{node.map ? ' · map' : ''}</div>
      {items && (
        <div className="node-sub">
          {items}
          {onToggle && (
            <button
              type="button"
              className="link expand"
              aria-expanded={expanded === true}
              onClick={(e) => {
                // Expanding is not selecting.
                e.stopPropagation();
                onToggle(node.id);
              }}
            >
              {expanded ? '▾ hide items' : '▸ show items'}
            </button>
          )}
        </div>
      )}
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
