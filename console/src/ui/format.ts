/** Display helpers shared by the pages. */

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const join = (big: number, bigUnit: string, small: number, smallUnit: string): string => (small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`);
  if (ms < 3_600_000) return join(Math.floor(ms / 60_000), 'm', Math.round((ms % 60_000) / 1000), 's');
  if (ms < 86_400_000) return join(Math.floor(ms / 3_600_000), 'h', Math.round((ms % 3_600_000) / 60_000), 'm');
  return join(Math.floor(ms / 86_400_000), 'd', Math.round((ms % 86_400_000) / 3_600_000), 'h');
}

export function duration(start: string | undefined, end: string | undefined, now = Date.now()): string {
  if (!start) return '';
  const s = Date.parse(start);
  const e = end ? Date.parse(end) : now;
  return formatMs(e - s);
}

/** JSON for a <pre>, cut short so one huge output can't stall the page. */
export function prettyJson(value: unknown, max = 20_000): string {
  if (value === undefined) return '(none)';
  let text: string;
  try {
    // undefined inside is already handled; functions and symbols don't come from JSON.
    text = JSON.stringify(value, null, 2) ?? '(not JSON)';
  } catch {
    text = '(not JSON)';
  }
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

/** Temporal's execution status, as the console names it. */
export function executionLabel(execution: string): string {
  return execution.toLowerCase().replace('canceled', 'cancelled');
}
