/** The apply diff: what is created, updated, deleted or left alone, and how the plan reads. */
import { describe, expect, it } from 'vitest';
import {
  formatPlanEntry,
  planApply,
  scheduleHash,
  updatedState,
  type DesiredSchedule,
  type ExistingSchedule,
  type ScheduleDefinition,
} from '../../../src/client/schedules';

const base: ScheduleDefinition = { id: 'nightly', dag: 'report', cron: ['0 2 * * *'], overlap: 'skip', paused: false, taskQueue: 'weft' };

function desired(def: ScheduleDefinition, dagHash = 'd1'.padEnd(64, '0')): DesiredSchedule {
  return { def, specHash: scheduleHash(def, 'default'), dagHash };
}

function existing(def: ScheduleDefinition, o: Partial<ExistingSchedule> = {}): ExistingSchedule {
  return { id: def.id, dag: def.dag, spec: def, specHash: scheduleHash(def, 'default'), dagHash: 'd1'.padEnd(64, '0'), group: 'default', paused: def.paused, ...o };
}

const plan = (want: DesiredSchedule[], have: ExistingSchedule[], prune?: ExistingSchedule[]): ReturnType<typeof planApply> =>
  planApply({ desired: want, existing: new Map(have.map((h) => [h.id, h])), ...(prune ? { pruneCandidates: prune } : {}), group: 'default' });

describe('planApply', () => {
  it('creates what does not exist', () => {
    expect(plan([desired(base)], [])).toEqual([{ action: 'create', id: 'nightly', dag: 'report', changes: [] }]);
  });

  it('leaves a schedule whose definition and DAG hashes match alone', () => {
    expect(plan([desired(base)], [existing(base)])).toEqual([{ action: 'unchanged', id: 'nightly', dag: 'report', changes: [], live: { paused: false } }]);
  });

  it('treats equal durations and times written differently as unchanged', () => {
    const a = { ...base, cron: undefined, interval: { every: '6h' }, startAt: '2026-01-01T00:00:00Z' };
    const b = { ...base, cron: undefined, interval: { every: '360m', offset: 0 }, startAt: '2026-01-01T01:00:00+01:00' };
    expect(scheduleHash(a, 'g')).toBe(scheduleHash(b, 'g'));
  });

  it('updates a changed definition and lists each changed field, old and new', () => {
    const next = { ...base, cron: ['0 3 * * *'], timezone: 'Europe/Berlin' };
    const [entry] = plan([desired(next)], [existing(base)]);
    expect(entry).toMatchObject({ action: 'update', changes: [{ field: 'cron', from: ['0 2 * * *'], to: ['0 3 * * *'] }, { field: 'timezone', to: 'Europe/Berlin' }] });
    expect(formatPlanEntry(entry!)).toBe('~ update nightly (cron: "0 2 * * *" → "0 3 * * *", timezone: (not set) → "Europe/Berlin")');
  });

  it('updates when only the DAG definition changed', () => {
    const [entry] = plan([desired(base, 'd2'.padEnd(64, '0'))], [existing(base)]);
    expect(entry).toMatchObject({ action: 'update', changes: [{ field: 'dag definition', from: 'd10000000000', to: 'd20000000000' }] });
    expect(formatPlanEntry(entry!)).toBe('~ update nightly (dag definition: d10000000000 → d20000000000)');
  });

  it('moves a schedule into the file group when another group applied it', () => {
    const [entry] = plan([desired(base)], [existing(base, { group: 'other' })]);
    expect(entry?.changes).toEqual([{ field: 'group', from: 'other', to: 'default' }]);
  });

  it('deletes only with prune, only schedules of the same group, never the listed ones', () => {
    const gone = existing({ ...base, id: 'gone' });
    const elsewhere = existing({ ...base, id: 'elsewhere' }, { group: 'other' });
    const oneOff: ExistingSchedule = { ...existing({ ...base, id: 'one-off' }) };
    delete oneOff.group;
    expect(plan([desired(base)], [existing(base)]).map((e) => e.action)).toEqual(['unchanged']);
    const pruned = plan([desired(base)], [existing(base)], [existing(base), gone, elsewhere, oneOff]);
    expect(pruned.map((e) => `${e.action} ${e.id}`)).toEqual(['unchanged nightly', 'delete gone']);
    expect(formatPlanEntry(pruned[1]!)).toBe('- delete gone');
  });

  it('says when apply keeps a pause made by hand', () => {
    const [entry] = plan([desired(base)], [existing(base, { paused: true, note: 'incident 42' })]);
    expect(entry).toMatchObject({ action: 'unchanged', kept: { paused: true, note: 'incident 42' } });
    expect(formatPlanEntry(entry!)).toBe('= unchanged nightly (stays paused as set by hand: "incident 42")');
  });
});

describe('updatedState', () => {
  it('keeps the live paused state and note when the file did not change paused', () => {
    expect(updatedState(base, { ...base, cron: ['0 3 * * *'] }, { paused: true, note: 'by hand' })).toEqual({ paused: true, note: 'by hand' });
  });

  it('applies the file when it changed paused', () => {
    expect(updatedState(base, { ...base, paused: true, note: 'launch' }, { paused: false })).toEqual({ paused: true, note: 'launch' });
    expect(updatedState({ ...base, paused: true }, base, { paused: true, note: 'x' })).toEqual({ paused: false });
  });

  it('applies a changed note and keeps the live paused state', () => {
    expect(updatedState(base, { ...base, note: 'owned by data team' }, { paused: true, note: 'by hand' })).toEqual({ paused: true, note: 'owned by data team' });
  });
});
