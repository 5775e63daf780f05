/**
 * A Gantt chart of the nodes that have started: one bar per node from its
 * start to its end (or to now while it runs), coloured by state. Rows are
 * virtual, so thousands of nodes scroll smoothly.
 */
import { useMemo } from 'react';
import type { NodeStatus } from '../types';
import { duration, formatMs } from '../ui/format';
import { VirtualList } from '../ui/VirtualList';

const ROW = 22;

export function Timeline({ nodes, closedAt, onSelect }: { nodes: readonly NodeStatus[]; closedAt?: string; onSelect: (id: string) => void }): React.JSX.Element {
  const now = closedAt ? Date.parse(closedAt) : Date.now();
  const { started, t0, span } = useMemo(() => {
    // Each start parsed once, not in every comparison: thousands of nodes sort in a few ms.
    const withStart = nodes
      .flatMap((n) => (n.startedAt ? [{ n, t: Date.parse(n.startedAt) }] : []))
      .sort((a, b) => a.t - b.t)
      .map((x) => x.n);
    const first = withStart.length ? Date.parse(withStart[0]!.startedAt!) : now;
    let last = first + 1;
    for (const n of withStart) last = Math.max(last, n.endedAt ? Date.parse(n.endedAt) : now);
    return { started: withStart, t0: first, span: last - first };
  }, [nodes, now]);

  if (started.length === 0) return <p className="muted">No node has started yet.</p>;
  return (
    <div className="timeline" aria-label="timeline">
      <div className="timeline-scale muted">
        <span>0</span>
        <span>{formatMs(span)}</span>
      </div>
      <VirtualList
        items={started}
        rowHeight={ROW}
        height={Math.min(started.length * ROW + 2, 300)}
        label="timeline rows"
        render={(n) => {
          const s = Date.parse(n.startedAt!);
          const e = n.endedAt ? Date.parse(n.endedAt) : now;
          const left = ((s - t0) / span) * 100;
          const width = Math.max(((e - s) / span) * 100, 0.5);
          return (
            <button type="button" className="timeline-row" onClick={() => onSelect(n.id)} title={`${n.id}: ${n.state}, ${duration(n.startedAt, n.endedAt, now)}`}>
              <span className="timeline-label">{n.id}</span>
              <span className="timeline-track">
                <span className={`timeline-bar state-${n.state}`} style={{ left: `${left}%`, width: `${width}%` }} />
              </span>
            </button>
          );
        }}
      />
    </div>
  );
}
