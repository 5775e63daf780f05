/** One-line, human descriptions of schedules and plan entries, for the CLI and the dev UI. */
import { formatDuration, parseDuration, type DurationInput } from '../../dag/duration';
import type { FieldChange, SchedulePlanEntry } from './plan';
import type { ScheduleDefinition } from './definition';

function duration(value: DurationInput): string {
  if (typeof value === 'string') return value;
  const ms = parseDuration(value);
  return ms === undefined ? String(value) : formatDuration(ms);
}

/** `cron "0 2 * * *" (Europe/Berlin)`, `every 6h offset 30m`. */
export function describeWhen(spec: Pick<ScheduleDefinition, 'cron' | 'interval' | 'timezone'> | undefined): string {
  if (!spec) return '-';
  const zone = spec.timezone ? ` (${spec.timezone})` : '';
  if (spec.cron) return `cron ${spec.cron.map((c) => JSON.stringify(c)).join(', ')}${zone}`;
  if (spec.interval) return `every ${duration(spec.interval.every)}${spec.interval.offset !== undefined ? ` offset ${duration(spec.interval.offset)}` : ''}${zone}`;
  return '-';
}

const MAX_VALUE = 60;

/** A field value in a diff: strings quoted, a single cron expression unwrapped, long JSON cut. */
export function formatValue(field: string, value: unknown): string {
  if (value === undefined) return '(not set)';
  if (field === 'cron' && Array.isArray(value) && value.length === 1) return JSON.stringify(value[0]);
  if (field === 'interval' && value && typeof value === 'object') return describeWhen({ interval: value as ScheduleDefinition['interval'] });
  if (field === 'dag definition' && typeof value === 'string') return value;
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** `cron: "0 2 * * *" → "0 3 * * *"`. */
export function formatChange(change: FieldChange): string {
  if (change.field === 'definition') return 'definition changed';
  return `${change.field}: ${formatValue(change.field, change.from)} → ${formatValue(change.field, change.to)}`;
}

const SIGN = { create: '+', update: '~', delete: '-', unchanged: '=' } as const;

/** kubectl-style: `+ create x`, `~ update x (cron: … → …)`, `- delete x`, `= unchanged x`. */
export function formatPlanEntry(entry: SchedulePlanEntry): string {
  const details = entry.changes.map(formatChange);
  if (entry.kept) {
    const how = entry.kept.paused ? 'paused' : 'unpaused';
    details.push(`stays ${how} as set by hand${entry.kept.note ? `: ${JSON.stringify(entry.kept.note)}` : ''}`);
  }
  return `${SIGN[entry.action]} ${entry.action} ${entry.id}${details.length ? ` (${details.join(', ')})` : ''}`;
}
