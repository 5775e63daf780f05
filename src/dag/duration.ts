/**
 * Durations in definitions: `500ms`, `30s`, `10m`, `24h`, `7d`, `2w`, compounds
 * such as `1h30m`, or a number of milliseconds. Every duration is bounded by
 * FIXED_LIMITS.maxDurationMs, so `now + duration` is always a valid date and a
 * value that validates also runs.
 */
import { FIXED_LIMITS } from './limits';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/;
/** No real duration is longer; it keeps the pattern's work small on hostile input. */
const MAX_DURATION_TEXT = 64;

export type DurationInput = string | number;

/** Milliseconds without the upper bound, or undefined when the value is not a duration. */
function rawMs(value: DurationInput): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string' || value.length > MAX_DURATION_TEXT) return undefined;
  const compact = value.replace(/\s+/g, '');
  if (!DURATION_PATTERN.test(compact)) return undefined;
  let total = 0;
  for (const match of compact.matchAll(PART)) total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Milliseconds, or undefined when the value is not a duration or is longer than 100 years. */
export function parseDuration(value: DurationInput): number | undefined {
  const ms = rawMs(value);
  return ms !== undefined && ms <= FIXED_LIMITS.maxDurationMs ? ms : undefined;
}

/** Why a value is not a duration, for an error message. */
export function durationError(value: unknown): string {
  const shown = typeof value === 'string' && value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}…` : JSON.stringify(value);
  const ms = typeof value === 'number' || typeof value === 'string' ? rawMs(value) : undefined;
  if (ms !== undefined || (typeof value === 'number' && value === Infinity)) {
    return `duration ${shown} is longer than the maximum of 100 years (${FIXED_LIMITS.maxDurationMs} ms)`;
  }
  if (typeof value === 'number' && value < 0) return `expected a duration of 0 or more, got ${shown}`;
  return `expected a duration such as 500ms, 30s, 10m, 24h, 7d or 1h30m (or milliseconds as a number), got ${shown}`;
}

/** Formats ms for people: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
