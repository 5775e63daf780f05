/**
 * A list that renders only the rows in view, so 100,000 rows cost what 30
 * do. Rows have one fixed height, which keeps the arithmetic exact.
 */
import { useState } from 'react';

interface Props<T> {
  items: readonly T[];
  rowHeight: number;
  /** Height of the scrolling box, in px. */
  height: number;
  render: (item: T, index: number) => React.ReactNode;
  className?: string;
  label?: string;
}

/** Rows drawn above and below the visible ones, so fast scrolling shows no gap. */
const OVERSCAN = 8;

export function VirtualList<T>({ items, rowHeight, height, render, className, label }: Props<T>): React.JSX.Element {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + OVERSCAN);
  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}>
        {render(items[i]!, i)}
      </div>,
    );
  }
  return (
    <div className={className} style={{ height, overflowY: 'auto', position: 'relative' }} onScroll={(e) => setTop(e.currentTarget.scrollTop)} role="list" aria-label={label}>
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
