/**
 * The diff `apply` computes between a schedules file and what exists. Pure:
 * the class in weft-schedules.ts reads the schedules and carries the plan out.
 *
 * - create: in the file, not in Temporal.
 * - update: the definition's hash differs from the one last applied (in the
 *   schedule's memo), or the DAG it starts compiled to a different hash.
 * - delete: only with prune, and only Weft-managed schedules of the same group.
 * - unchanged: everything else.
 */
import { canonicalJson } from '../../dag/hash';
import type { ScheduleDefinition } from './definition';
import { canonicalField } from './temporal';

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface FieldChange {
  /** A field of the definition, `dag definition` when the DAG's content changed, or `group`. */
  field: string;
  /** The value last applied; absent when it was not set. */
  from?: unknown;
  /** The value in the file; absent when it is not set. */
  to?: unknown;
}

export interface SchedulePlanEntry {
  action: PlanAction;
  id: string;
  dag: string;
  /** What an update changes; empty for the other actions. */
  changes: FieldChange[];
  /** The live state of an existing schedule. */
  live?: { paused: boolean; note?: string };
  /**
   * Set when the live paused state differs from the file's and apply keeps it
   * (a pause or unpause made by hand, and the file's `paused` did not change).
   */
  kept?: { paused: boolean; note?: string };
}

/** What exists, as far as the plan is concerned. */
export interface ExistingSchedule {
  id: string;
  dag: string;
  spec?: ScheduleDefinition;
  specHash?: string;
  dagHash?: string;
  group?: string;
  paused: boolean;
  note?: string;
}

export interface DesiredSchedule {
  /** With the task queue resolved. */
  def: ScheduleDefinition;
  specHash: string;
  dagHash: string;
}

const DIFF_FIELDS: ReadonlyArray<keyof ScheduleDefinition> = [
  'dag', 'cron', 'interval', 'timezone', 'startAt', 'endAt', 'jitter', 'overlap', 'catchupWindow', 'input', 'paused', 'note', 'taskQueue', 'priority',
];

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Field by field, from the last applied definition to the desired one. */
export function diffDefinitions(from: ScheduleDefinition | undefined, to: ScheduleDefinition): FieldChange[] {
  if (!from) return [{ field: 'definition', to: '(as in the file)' }];
  const changes: FieldChange[] = [];
  for (const field of DIFF_FIELDS) {
    if (same(canonicalField(from, field), canonicalField(to, field))) continue;
    changes.push({ field, ...(from[field] !== undefined ? { from: from[field] } : {}), ...(to[field] !== undefined ? { to: to[field] } : {}) });
  }
  return changes;
}

export function planApply(opts: {
  desired: readonly DesiredSchedule[];
  /** Existing Weft-managed schedules with the desired ids. */
  existing: ReadonlyMap<string, ExistingSchedule>;
  /** With prune: every Weft-managed schedule of the group, so those not in the file are deleted. */
  pruneCandidates?: readonly ExistingSchedule[];
  group: string;
}): SchedulePlanEntry[] {
  const entries: SchedulePlanEntry[] = [];
  for (const { def, specHash, dagHash } of opts.desired) {
    const current = opts.existing.get(def.id);
    if (!current) {
      entries.push({ action: 'create', id: def.id, dag: def.dag, changes: [] });
      continue;
    }
    const live = { paused: current.paused, ...(current.note ? { note: current.note } : {}) };
    const changes: FieldChange[] = [];
    if (current.specHash !== specHash) changes.push(...diffDefinitions(current.spec, def));
    if (current.group !== opts.group) changes.push({ field: 'group', ...(current.group !== undefined ? { from: current.group } : {}), to: opts.group });
    if (current.dagHash !== dagHash && current.dag === def.dag) changes.push({ field: 'dag definition', ...(current.dagHash ? { from: current.dagHash.slice(0, 12) } : {}), to: dagHash.slice(0, 12) });
    // A hash that differs with no field to show (an older memo format) still updates.
    if (changes.length === 0 && current.specHash !== specHash) changes.push({ field: 'definition', to: '(as in the file)' });
    const pausedChanges = changes.some((c) => c.field === 'paused' || c.field === 'definition');
    const kept = !pausedChanges && live.paused !== def.paused ? { kept: live } : {};
    entries.push({ action: changes.length ? 'update' : 'unchanged', id: def.id, dag: def.dag, changes, live, ...kept });
  }
  const wanted = new Set(opts.desired.map((d) => d.def.id));
  for (const s of opts.pruneCandidates ?? []) {
    if (wanted.has(s.id) || s.group !== opts.group) continue;
    entries.push({ action: 'delete', id: s.id, dag: s.dag, changes: [], live: { paused: s.paused, ...(s.note ? { note: s.note } : {}) } });
  }
  return entries;
}

/**
 * The paused state and note an update sets. Like `kubectl apply`, a field the
 * file did not change keeps its live value: a schedule paused by hand stays
 * paused through an apply that leaves `paused` as it was.
 */
export function updatedState(last: ScheduleDefinition | undefined, desired: ScheduleDefinition, live: { paused: boolean; note?: string }): { paused: boolean; note?: string } {
  const pausedChanged = !last || last.paused !== desired.paused;
  const noteChanged = !last || last.note !== desired.note;
  const paused = pausedChanged ? desired.paused : live.paused;
  const note = noteChanged || pausedChanged ? desired.note : live.note;
  return { paused, ...(note !== undefined ? { note } : {}) };
}
