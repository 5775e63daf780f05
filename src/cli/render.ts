/** Text rendering for people (runs, tables); `--json` prints the objects instead. */
import type { RunSummary, RunView } from '../client';
import type { NodeStatus, RunStatus } from '../workflows/messages';

const MARK: Record<NodeStatus['state'], string> = {
  pending: '·',
  waiting: '…',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '⊘',
};

function seconds(n: NodeStatus): string {
  if (!n.startedAt || !n.endedAt) return '';
  return `${((Date.parse(n.endedAt) - Date.parse(n.startedAt)) / 1000).toFixed(1)}s`;
}

function detail(n: NodeStatus): string {
  const parts: string[] = [];
  if (n.items) parts.push(`items ${n.items.succeeded}/${n.items.total}${n.items.failed ? ` (${n.items.failed} failed)` : ''}`);
  if (n.attempts) parts.push(`${n.attempts} attempt${n.attempts === 1 ? '' : 's'}`);
  if (n.progress) parts.push(`progress ${n.progress.done}/${n.progress.total}${n.progress.note ? ` ${n.progress.note}` : ''}`);
  if (n.reused) parts.push('reused');
  const t = seconds(n);
  if (t) parts.push(t);
  if (n.error) parts.push(`${n.ignoredError ? 'ignored ' : ''}${n.error.type ? `${n.error.type}: ` : ''}${n.error.message}`);
  else if (n.reason && n.state !== 'succeeded') parts.push(n.reason);
  if (n.compensation) parts.push(`compensation ${n.compensation.state}`);
  // Where the activity runs: a local one shows no progress, and its attempts only once it ends.
  if (n.mode) parts.push(n.mode);
  return parts.join('  ');
}

/** "3/5 done · running: resize · failed: notify" */
export function progressLine(status: RunStatus): string {
  const done = status.counts.succeeded + status.counts.failed + status.counts.skipped + status.counts.cancelled;
  const running = status.nodes.filter((n) => n.state === 'running' || n.state === 'waiting').map((n) => (n.items ? `${n.id} (${n.items.succeeded}/${n.items.total})` : n.id));
  const failed = status.nodes.filter((n) => n.state === 'failed').map((n) => n.id);
  return [`${done}/${status.nodes.length} done`, running.length ? `running: ${running.join(', ')}` : '', failed.length ? `failed: ${failed.join(', ')}` : ''].filter(Boolean).join(' · ');
}

export function renderRun(run: RunView): string {
  const lines = [`run ${run.id} (${run.dag || '?'})  ${run.execution}  started ${run.startedAt}${run.closedAt ? `  closed ${run.closedAt}` : ''}`];
  if (run.status) {
    lines.push(`  ${progressLine(run.status)}`);
    const width = Math.max(...run.status.nodes.map((n) => n.id.length), 4);
    for (const n of run.status.nodes) lines.push(`  ${MARK[n.state]} ${n.id.padEnd(width)}  ${n.state.padEnd(9)}  ${detail(n)}`.trimEnd());
  }
  if (run.failure) lines.push(`  failure: ${run.failure.type ? `${run.failure.type}: ` : ''}${run.failure.message}`);
  if (run.result !== undefined) lines.push(`  result: ${JSON.stringify(run.result)}`);
  return lines.join('\n');
}

/** Rows (the first is the header) as aligned columns, two spaces apart; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

export function renderRunList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  return table([['ID', 'DAG', 'STATUS', 'STARTED'], ...runs.map((r) => [r.id, r.dag ?? '', r.execution, r.startedAt])]).join('\n');
}
