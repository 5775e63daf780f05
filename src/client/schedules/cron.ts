/**
 * Checks cron expressions the way Temporal's server reads them, so a bad one
 * is reported with its path before anything is sent, and so nothing Temporal
 * would read differently from what the author meant gets through (Temporal
 * reads `#` as the start of a comment, so Quartz's `1#2` would silently mean
 * every Monday).
 *
 * Accepted: 5 fields (minute hour day-of-month month day-of-week) or 6 (the
 * same plus a year; not seconds, as in node-cron), each a comma-separated list
 * of `*`, `N`, `N-M`, with an optional `/step`; month and weekday names (JAN,
 * January, MON, monday; any letter case); weekday 0-7 (0 and 7 are Sunday); and
 * @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly (lower
 * case, as Temporal matches them).
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** What the first name stands for (months start at 1, weekdays at 0). */
  nameBase?: number;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, nameBase: 0 },
  // Temporal's server accepts years 2000-2100.
  { name: 'year', min: 2000, max: 2100 },
];

export const CRON_SHORTHANDS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

const EXPECTED = 'expected 5 fields: minute hour day-of-month month day-of-week, or 6 with a year after them';

function parseValue(text: string, field: CronField): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < field.min || n > field.max) return `${field.name} ${text} is out of range ${field.min}-${field.max}`;
    return n;
  }
  if (field.names && /^[a-z]+$/i.test(text)) {
    const lower = text.toLowerCase();
    const index = field.names.findIndex((full) => full === lower || full.slice(0, 3) === lower);
    if (index >= 0) return index + (field.nameBase ?? 0);
    return `${field.name} "${text}" is not a ${field.name === 'month' ? 'month (JAN-DEC)' : 'weekday (SUN-SAT)'}`;
  }
  if (text === '?' || /^\d*[LW]$/i.test(text)) return `${field.name} "${text}" uses Quartz syntax (?, L, W) that Temporal does not support`;
  return `${field.name} "${text}" is not a number${field.names ? ' or a name' : ''}`;
}

function checkItem(item: string, field: CronField): string | undefined {
  if (item === '') return `${field.name} has an empty list item`;
  const [range, step, extra] = item.split('/');
  if (extra !== undefined) return `${field.name} "${item}" has more than one /`;
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `${field.name} "${item}" needs a whole-number step of 1 or more after /`;
  if (range === '*') return undefined;
  const [startText, endText, more] = range!.split('-');
  if (more !== undefined) return `${field.name} "${item}" is not a range such as 1-5`;
  const start = parseValue(startText!, field);
  if (typeof start === 'string') return start;
  if (endText === undefined) return undefined;
  const end = parseValue(endText, field);
  if (typeof end === 'string') return end;
  if (end < start) return `${field.name} range "${range}" ends before it starts`;
  return undefined;
}

/** Undefined when the expression is valid; otherwise what is wrong with it, naming the expression. */
export function cronError(expression: string): string | undefined {
  const expr = expression.trim();
  const invalid = (why: string): string => `invalid cron expression ${JSON.stringify(expression)} (${why})`;
  if (expr === '') return invalid(EXPECTED);
  if (expr.includes('#')) return invalid('"#" is not supported: Temporal reads the rest of the line as a comment');
  if (/^(CRON_)?TZ=/i.test(expr)) return invalid('give the time zone in the timezone field instead of a TZ= prefix');
  if (expr.startsWith('@')) {
    if (/^@every\b/i.test(expr)) return invalid('use interval: { every: … } instead of @every');
    if ((CRON_SHORTHANDS as readonly string[]).includes(expr)) return undefined;
    return invalid(`expected one of ${CRON_SHORTHANDS.join(', ')}`);
  }
  const parts = expr.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) return invalid(`${EXPECTED}; got ${parts.length}`);
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i]!;
    for (const item of part.split(',')) {
      const problem = checkItem(item, field);
      if (problem) return invalid(problem);
    }
  }
  return undefined;
}

/** Collapses whitespace, so `0  2 * * *` and `0 2 * * *` are the same schedule. */
export function normalizeCron(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}
