/**
 * The schedules file (`schedules.yaml`): its zod schema, and the validation
 * that reports every problem with its path, in one pass: unknown fields, bad
 * cron expressions, durations, times and time zones, cron and interval both or
 * neither, duplicate ids, DAG names that are not in the DAGs folder, and input
 * that does not match the DAG's input schema.
 */
import { z } from 'zod';
import { durationSchema } from '../../dag/schema';
import { parseDuration } from '../../dag/duration';
import type { CompiledDag } from '../../dag/types';
import type { DefinitionFileReport } from '../definitions';
import { RunInputError, validateRunInput } from '../input-schema';
import { cronError, normalizeCron } from './cron';
import { OVERLAP_POLICIES, type ScheduleDefinition, type ScheduleFile } from './definition';
import { ScheduleFileError, type ScheduleIssue } from './errors';
import { parseIsoTime, timezoneError } from './time';

/** Schedule ids and groups: they prefix workflow ids, so they stay URL- and shell-safe. */
export const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const ID_MESSAGE = 'expected letters, digits, ".", "_" and "-", starting with a letter or digit (at most 200)';

/** Temporal's server raises a shorter catch-up window to this. */
export const MIN_CATCHUP_WINDOW_MS = 10_000;

const isoTime = z.string().min(1);

export const scheduleEntrySchema = z
  .object({
    id: z.string().regex(SCHEDULE_ID_PATTERN, ID_MESSAGE),
    /** Name of a DAG in the DAGs folder. */
    dag: z.string().min(1),
    input: z.unknown().optional(),
    cron: z.union([z.string(), z.array(z.string()).min(1, 'give at least one cron expression')], { error: 'expected a cron expression or a list of them' }).optional(),
    interval: z.object({ every: durationSchema, offset: durationSchema.optional() }).strict().optional(),
    timezone: z.string().min(1).optional(),
    overlap: z.enum(OVERLAP_POLICIES).optional(),
    catchupWindow: durationSchema.optional(),
    jitter: durationSchema.optional(),
    paused: z.boolean().optional(),
    note: z.string().optional(),
    startAt: isoTime.optional(),
    endAt: isoTime.optional(),
    taskQueue: z.string().min(1).optional(),
    priority: z.number().int().min(1).max(5).optional(),
  })
  .strict();

export const scheduleFileSchema = z
  .object({
    /** Which schedules `apply --prune` may delete: Weft-managed ones applied with the same group. */
    group: z.string().regex(SCHEDULE_ID_PATTERN, ID_MESSAGE).optional(),
    schedules: z.array(z.unknown()),
  })
  .strict();

/** One schedule as written in a file (or passed to `create`). */
export type ScheduleInput = z.input<typeof scheduleEntrySchema>;

export const DEFAULT_SCHEDULE_GROUP = 'default';

/** Where named DAGs come from: a DagCatalog, or anything that lists definition reports. */
export interface DagSource {
  readonly dagsDir: string;
  list(): DefinitionFileReport[];
}

export interface ValidateSchedulesOptions {
  /** The named DAGs. Without it, `dag` is only checked for shape. */
  dags?: DagSource;
  /** Names the file in errors. */
  source?: string;
}

export type ScheduleValidation = { ok: true; file: ScheduleFile; dags: Map<string, CompiledDag> } | { ok: false; issues: ScheduleIssue[] };

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(root)';
}

function zodIssues(error: z.ZodError, prefix: PropertyKey[]): ScheduleIssue[] {
  return error.issues.flatMap((issue): ScheduleIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), code: 'unknown_field', message: `unknown field "${key}"` }));
    }
    const message = issue.code === 'invalid_value' && issue.path.at(-1) === 'overlap' ? `expected one of ${OVERLAP_POLICIES.join(', ')}` : issue.message;
    return [{ path: formatPath(path), code: message.startsWith('expected a duration') ? 'bad_duration' : 'schema', message }];
  });
}

interface Entry {
  index: number;
  raw: Record<string, unknown>;
}

function durationMs(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
}

/** Rules that span fields, or that zod cannot express with a path-naming message. */
function checkEntry({ index, raw }: Entry, issues: ScheduleIssue[]): void {
  const p = `schedules[${index}]`;
  const hasCron = raw.cron !== undefined;
  const hasInterval = raw.interval !== undefined;
  if (hasCron === hasInterval) {
    issues.push({ path: p, code: 'schema', message: hasCron ? 'give either cron or interval, not both' : 'give when it runs: cron (one or more cron expressions) or interval ({ every, offset })' });
  }
  if (typeof raw.cron === 'string') {
    const problem = cronError(raw.cron);
    if (problem) issues.push({ path: `${p}.cron`, code: 'bad_cron', message: problem });
  } else if (Array.isArray(raw.cron)) {
    raw.cron.forEach((expr: unknown, k) => {
      const problem = typeof expr === 'string' ? cronError(expr) : undefined;
      if (problem) issues.push({ path: `${p}.cron[${k}]`, code: 'bad_cron', message: problem });
    });
  }
  const interval = raw.interval as { every?: unknown; offset?: unknown } | undefined;
  if (interval && typeof interval === 'object') {
    const every = durationMs(interval.every);
    const offset = durationMs(interval.offset);
    if (every !== undefined && every < 1000) issues.push({ path: `${p}.interval.every`, code: 'bad_duration', message: `expected at least 1s (Temporal counts whole seconds), got ${JSON.stringify(interval.every)}` });
    if (every !== undefined && offset !== undefined && offset >= every) {
      issues.push({ path: `${p}.interval.offset`, code: 'bad_duration', message: `expected an offset shorter than every (${JSON.stringify(interval.every)}), got ${JSON.stringify(interval.offset)}` });
    }
  }
  const catchup = durationMs(raw.catchupWindow);
  if (catchup !== undefined && catchup < MIN_CATCHUP_WINDOW_MS) {
    issues.push({ path: `${p}.catchupWindow`, code: 'bad_duration', message: `expected at least 10s (Temporal's minimum), got ${JSON.stringify(raw.catchupWindow)}` });
  }
  if (typeof raw.timezone === 'string' && raw.timezone !== '') {
    const problem = timezoneError(raw.timezone);
    if (problem) issues.push({ path: `${p}.timezone`, code: 'bad_timezone', message: problem });
  }
  const times: Record<string, number | undefined> = {};
  for (const field of ['startAt', 'endAt'] as const) {
    const value = raw[field];
    if (typeof value !== 'string' || value === '') continue;
    times[field] = parseIsoTime(value);
    if (times[field] === undefined) {
      issues.push({ path: `${p}.${field}`, code: 'bad_time', message: `expected an ISO 8601 time with a time zone such as 2026-01-01T00:00:00Z, got ${JSON.stringify(value)}` });
    }
  }
  if (times.startAt !== undefined && times.endAt !== undefined && times.endAt <= times.startAt) {
    issues.push({ path: `${p}.endAt`, code: 'bad_time', message: `endAt (${String(raw.endAt)}) must be after startAt (${String(raw.startAt)})` });
  }
}

function dagIssues(entries: Entry[], source: DagSource, dags: Map<string, CompiledDag>, issues: ScheduleIssue[]): void {
  const reports = source.list();
  const byName = new Map(reports.flatMap((r) => (r.name ? [[r.name, r] as const] : [])));
  const known = [...byName.keys()].sort();
  for (const { index, raw } of entries) {
    if (typeof raw.dag !== 'string' || raw.dag === '') continue;
    const path = `schedules[${index}].dag`;
    const report = byName.get(raw.dag);
    if (!report) {
      issues.push({ path, code: 'unknown_dag', message: `no DAG named "${raw.dag}" in ${source.dagsDir}${known.length ? ` (known: ${known.join(', ')})` : ''}` });
      continue;
    }
    if (!report.ok || !report.dag) {
      const n = report.issues.length;
      issues.push({ path, code: 'invalid_dag', message: `DAG "${raw.dag}" (${report.file}) is invalid (${n} problem${n === 1 ? '' : 's'}); see \`weft dags validate ${report.file}\`` });
      continue;
    }
    dags.set(report.dag.name, report.dag);
    try {
      validateRunInput(report.dag, raw.input ?? null);
    } catch (err) {
      if (!(err instanceof RunInputError)) throw err;
      for (const i of err.issues) issues.push({ path: `schedules[${index}].${i.path}`, code: 'bad_input', message: `${i.message} (the input schema of DAG "${raw.dag}")` });
    }
  }
}

function normalize(entry: z.output<typeof scheduleEntrySchema>): ScheduleDefinition {
  const { cron, overlap, paused, interval, ...rest } = entry;
  return {
    ...rest,
    ...(cron !== undefined ? { cron: (typeof cron === 'string' ? [cron] : cron).map(normalizeCron) } : {}),
    ...(interval ? { interval: { every: interval.every, ...(interval.offset !== undefined ? { offset: interval.offset } : {}) } } : {}),
    overlap: overlap ?? 'skip',
    paused: paused ?? false,
  };
}

/**
 * Validates a schedules file's content: `{ group?, schedules: [...] }`, or just
 * the list. Reports every problem with its path; never throws for bad input.
 */
export function validateSchedules(raw: unknown, opts: ValidateSchedulesOptions = {}): ScheduleValidation {
  const issues: ScheduleIssue[] = [];
  const doc = Array.isArray(raw) ? { schedules: raw } : raw;
  if (doc === null || doc === undefined) {
    return { ok: false, issues: [{ path: '(root)', code: 'schema', message: 'the file is empty; expected `schedules:` with a list of schedules' }] };
  }
  const top = scheduleFileSchema.safeParse(doc);
  if (!top.success) {
    issues.push(...zodIssues(top.error, []));
    if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { schedules?: unknown }).schedules)) return { ok: false, issues };
  }
  const list = (doc as { schedules: unknown[] }).schedules;
  const entries: Entry[] = [];
  const definitions: ScheduleDefinition[] = [];
  const firstIndex = new Map<string, number>();
  list.forEach((item, index) => {
    const parsed = scheduleEntrySchema.safeParse(item);
    if (parsed.success) definitions.push(normalize(parsed.data));
    else issues.push(...zodIssues(parsed.error, ['schedules', index]));
    if (!item || typeof item !== 'object' || Array.isArray(item)) return;
    const entry = { index, raw: item as Record<string, unknown> };
    entries.push(entry);
    checkEntry(entry, issues);
    const id = entry.raw.id;
    if (typeof id !== 'string') return;
    const first = firstIndex.get(id);
    if (first !== undefined) issues.push({ path: `schedules[${index}].id`, code: 'duplicate_id', message: `duplicate schedule id "${id}" (first defined at schedules[${first}])` });
    else firstIndex.set(id, index);
  });
  const dags = new Map<string, CompiledDag>();
  if (opts.dags) dagIssues(entries, opts.dags, dags, issues);
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };
  return { ok: true, file: { group: top.data?.group ?? DEFAULT_SCHEDULE_GROUP, schedules: definitions }, dags };
}

/** By schedule, then in the order found, so each schedule's problems read together. */
function sortIssues(issues: ScheduleIssue[]): ScheduleIssue[] {
  const index = (i: ScheduleIssue): number => Number(/^schedules\[(\d+)\]/.exec(i.path)?.[1] ?? -1);
  return issues.map((issue, order) => ({ issue, order })).sort((a, b) => index(a.issue) - index(b.issue) || a.order - b.order).map((x) => x.issue);
}

/** Like validateSchedules, but throws ScheduleFileError with every problem. */
export function parseSchedules(raw: unknown, opts: ValidateSchedulesOptions = {}): { file: ScheduleFile; dags: Map<string, CompiledDag> } {
  const result = validateSchedules(raw, opts);
  if (!result.ok) throw new ScheduleFileError(result.issues, opts.source);
  return { file: result.file, dags: result.dags };
}
