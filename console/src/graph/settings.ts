/** A node's settings as short lines, for the hover card of the plan and run graphs. */
import { formatMs } from '../ui/format';
import type { CompiledNode } from '../types';

export function settingsLines(n: CompiledNode): string[] {
  const lines: string[] = [];
  if (n.call) {
    lines.push(`activity: ${n.call.activity}`);
    const r = n.call.retry;
    lines.push(`retry: ${r.maximumAttempts === 0 ? 'unlimited' : `${r.maximumAttempts} attempts`}, ${formatMs(r.initialIntervalMs)} ×${r.backoffCoefficient} up to ${formatMs(r.maximumIntervalMs)}`);
    if (r.nonRetryableErrorTypes.length) lines.push(`non-retryable: ${r.nonRetryableErrorTypes.join(', ')}`);
    const t = n.call.timeouts;
    const parts = [`start-to-close ${formatMs(t.startToCloseMs)}`];
    if (t.scheduleToCloseMs) parts.push(`schedule-to-close ${formatMs(t.scheduleToCloseMs)}`);
    if (t.scheduleToStartMs) parts.push(`schedule-to-start ${formatMs(t.scheduleToStartMs)}`);
    if (t.heartbeatMs) parts.push(`heartbeat ${formatMs(t.heartbeatMs)}`);
    lines.push(`timeouts: ${parts.join(', ')}`);
    if (n.call.taskQueue) lines.push(`task queue: ${n.call.taskQueue}`);
    // Calls compiled before local activities existed have no mode (remote).
    const mode = (n.call as { mode?: unknown }).mode;
    if (typeof mode === 'string') lines.push(`mode: ${mode}`);
  }
  if (n.kind === 'approval') lines.push(`approval, decides within ${formatMs(n.approvalTimeoutMs)}`);
  lines.push(`trigger: ${n.trigger}`);
  if (n.when) lines.push(`when: ${n.when}`);
  if (n.delay !== undefined) lines.push(`delay: ${typeof n.delay === 'number' ? formatMs(n.delay) : n.delay}`);
  if (n.at) lines.push(`at: ${n.at}`);
  if (n.map) {
    const items = typeof n.map.items === 'string' ? n.map.items : `${n.map.items.length} literal items`;
    lines.push(`map: ${items} (concurrency ${n.map.concurrency}, batch ${n.map.batchSize})`);
  }
  if (n.onError !== 'fail') lines.push(`onError: ${n.onError}`);
  return lines;
}
