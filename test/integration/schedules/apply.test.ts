/** `apply` against a real Temporal: create, no-op, update, prune, and never touching what Weft does not manage. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey, type TypedSearchAttributes } from '@temporalio/common';
import { ScheduleConflictError, ScheduleFileError, ScheduleNotFoundError } from '../../../src/client/schedules';
import { devServerEnv } from '../../helpers/temporal';
import { eventually, RARELY, scheduleTest } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('WeftSchedules.apply', () => {
  it('creates the schedules of a file as Weft-managed Temporal Schedules that start dagRun', async () => {
    const t = await scheduleTest(env);
    const nightly = t.id('nightly');
    const sixHourly = t.id('six-hourly');
    const file = t.file([
      { id: nightly, dag: 'sched-report', input: { report: 'daily' }, cron: '0 2 * * *', timezone: 'Europe/Berlin', catchupWindow: '1h', jitter: '30s', priority: 2 },
      { id: sixHourly, dag: 'sched-echo', interval: { every: '6h', offset: '30m' }, overlap: 'buffer-one', paused: true, note: 'waiting for the launch' },
    ]);

    const result = await t.schedules.apply(file);
    expect(result).toMatchObject({ source: file, group: t.group, dryRun: false, changed: true, counts: { create: 2, update: 0, delete: 0, unchanged: 0 } });
    expect(result.applied.map((e) => `${e.action} ${e.id}`)).toEqual([`create ${nightly}`, `create ${sixHourly}`]);

    const view = await t.schedules.describe(nightly);
    expect(view).toMatchObject({
      id: nightly,
      dag: 'sched-report',
      group: t.group,
      taskQueue: t.taskQueue,
      overlap: 'skip',
      catchupWindowMs: 3_600_000,
      state: { paused: false },
      spec: { cron: ['0 2 * * *'], timezone: 'Europe/Berlin', input: { report: 'daily' }, taskQueue: t.taskQueue },
    });
    // 02:00 in Berlin is 01:00 or 00:00 UTC, depending on daylight saving time.
    expect(view.info.nextActionTimes[0]).toMatch(/T0[01]:00:(0\d|[1-2]\d|30)/);
    expect(await t.schedules.describe(sixHourly)).toMatchObject({ overlap: 'buffer-one', state: { paused: true, note: 'waiting for the launch' } });

    const raw = await env.client.schedule.getHandle(nightly).describe();
    expect(raw.memo).toMatchObject({ weftManaged: true, weftDag: 'sched-report', weftSpecHash: view.specHash, weftDagHash: view.dagHash });
    expect(raw.action).toMatchObject({ workflowType: 'dagRun', workflowId: nightly, taskQueue: t.taskQueue, priority: { priorityKey: 2 } });
    expect(raw.action.args?.[0]).toMatchObject({ dag: { format: 'weft-dag/1', name: 'sched-report' }, input: { report: 'daily' } });
    const attributes = raw.action.typedSearchAttributes as TypedSearchAttributes;
    expect(attributes.get(defineSearchAttributeKey('WeftDag', 'KEYWORD'))).toBe('sched-report');
    expect(attributes.get(defineSearchAttributeKey('WeftStatus', 'KEYWORD'))).toBe('running');
  });

  it('reports no changes and changes nothing when the same file is applied twice', async () => {
    const t = await scheduleTest(env);
    const a = t.id('a');
    const b = t.id('b');
    const file = t.file([
      { id: a, dag: 'sched-echo', cron: [RARELY, '0 0 1 7 *'], input: { n: 1 } },
      { id: b, dag: 'sched-echo', interval: { every: '30d' }, paused: true },
    ]);
    await t.schedules.apply(file);
    const before = await Promise.all([t.schedules.describe(a), t.schedules.describe(b)]);

    const second = await t.schedules.apply(file);

    expect(second.changed).toBe(false);
    expect(second.applied).toEqual([]);
    expect(second.entries.map((e) => `${e.action} ${e.id}`)).toEqual([`unchanged ${a}`, `unchanged ${b}`]);
    expect(await Promise.all([t.schedules.describe(a), t.schedules.describe(b)])).toEqual(before);
  });

  it('updates a schedule in place when the file changes, and shows what changed', async () => {
    const t = await scheduleTest(env);
    const id = t.id('edit');
    const file = t.file([{ id, dag: 'sched-echo', cron: '0 2 1 1 *' }]);
    await t.schedules.apply(file);
    const created = await t.schedules.describe(id);

    writeFileSync(file, readFileSync(file, 'utf8').replace('0 2 1 1 *', '0 3 1 1 *'));
    const result = await t.schedules.apply(file);

    expect(result.entries).toEqual([
      { action: 'update', id, dag: 'sched-echo', changes: [{ field: 'cron', from: ['0 2 1 1 *'], to: ['0 3 1 1 *'] }], live: { paused: false } },
    ]);
    const updated = await t.schedules.describe(id);
    expect(updated.spec?.cron).toEqual(['0 3 1 1 *']);
    expect(updated.specHash).not.toBe(created.specHash);
    expect(updated.info.createdAt).toBe(created.info.createdAt);
    expect(updated.info.nextActionTimes[0]).toMatch(/T03:00:/);
    expect((await t.schedules.apply(file)).changed).toBe(false);
  });

  it('updates the packed DAG when the DAG definition changes, even if the file does not', async () => {
    const t = await scheduleTest(env, { copyDags: true });
    const id = t.id('dag-edit');
    const file = t.file([{ id, dag: 'sched-echo', cron: RARELY }]);
    await t.schedules.apply(file);
    const before = await t.schedules.describe(id);

    const dagFile = join(t.dagsDir, 'echo.yaml');
    writeFileSync(dagFile, readFileSync(dagFile, 'utf8').replace('One step that returns its input', 'Echoes its input'));
    const result = await t.schedules.apply(file);

    expect(result.entries[0]).toMatchObject({ action: 'update', changes: [{ field: 'dag definition', from: before.dagHash!.slice(0, 12) }] });
    const after = await t.schedules.describe(id);
    expect(after.dagHash).not.toBe(before.dagHash);
    const raw = await env.client.schedule.getHandle(id).describe();
    expect(raw.action.args?.[0]).toMatchObject({ dag: { description: "Echoes its input; the schedule tests' DAG", hash: after.dagHash } });
  });

  it('keeps a pause made by hand through an apply that does not change paused, and says so', async () => {
    const t = await scheduleTest(env);
    const id = t.id('kept');
    const file = t.file([{ id, dag: 'sched-echo', cron: RARELY }]);
    await t.schedules.apply(file);
    await t.schedules.pause(id, 'incident 42');

    const result = await t.schedules.apply(file);

    expect(result.entries[0]).toMatchObject({ action: 'unchanged', kept: { paused: true, note: 'incident 42' } });
    expect((await t.schedules.describe(id)).state).toEqual({ paused: true, note: 'incident 42' });
  });

  it('changes nothing with dryRun, and returns the plan', async () => {
    const t = await scheduleTest(env);
    const id = t.id('dry');
    const result = await t.schedules.apply(t.file([{ id, dag: 'sched-echo', cron: RARELY }]), { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, changed: true, applied: [], entries: [{ action: 'create', id }] });
    await expect(t.schedules.describe(id)).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('with prune, deletes Weft-managed schedules of the group that the file no longer lists, and nothing else', async () => {
    const t = await scheduleTest(env);
    const [keep, drop, oneOff, otherGroup, unmanaged] = [t.id('keep'), t.id('drop'), t.id('one-off'), t.id('other-group'), t.id('unmanaged')];
    await t.schedules.apply(t.file([
      { id: keep, dag: 'sched-echo', cron: RARELY },
      { id: drop, dag: 'sched-echo', cron: RARELY },
    ]));
    await t.schedules.create({ id: oneOff, dag: 'sched-echo', cron: RARELY });
    await t.schedules.create({ id: otherGroup, dag: 'sched-echo', cron: RARELY }, { group: `${t.group}-other` });
    await env.client.schedule.create({
      scheduleId: unmanaged,
      spec: { cronExpressions: [RARELY] },
      action: { type: 'startWorkflow', workflowType: 'dagRun', taskQueue: t.taskQueue, args: [] },
    });
    // Listing is eventually consistent: wait until the schedule to prune is listed.
    await eventually(async () => (await t.schedules.list()).some((s) => s.id === drop), `${drop} in the list`);
    const shorter = t.file([{ id: keep, dag: 'sched-echo', cron: RARELY }], 'shorter.yaml');

    const withoutPrune = await t.schedules.apply(shorter);
    expect(withoutPrune.entries.map((e) => `${e.action} ${e.id}`)).toEqual([`unchanged ${keep}`]);

    const pruned = await t.schedules.apply(shorter, { prune: true });
    expect(pruned.entries.map((e) => `${e.action} ${e.id}`)).toEqual([`unchanged ${keep}`, `delete ${drop}`]);
    await expect(t.schedules.describe(drop)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    for (const id of [keep, oneOff, otherGroup]) expect((await t.schedules.describe(id)).id).toBe(id);
    expect((await env.client.schedule.getHandle(unmanaged).describe()).scheduleId).toBe(unmanaged);
  });

  it('refuses to take over a schedule Weft does not manage, before changing anything', async () => {
    const t = await scheduleTest(env);
    const [fresh, unmanaged] = [t.id('fresh'), t.id('unmanaged')];
    await env.client.schedule.create({
      scheduleId: unmanaged,
      spec: { cronExpressions: [RARELY] },
      action: { type: 'startWorkflow', workflowType: 'somethingElse', taskQueue: t.taskQueue, args: [] },
    });
    const file = t.file([
      { id: fresh, dag: 'sched-echo', cron: RARELY },
      { id: unmanaged, dag: 'sched-echo', cron: RARELY },
    ]);

    const error = await t.schedules.apply(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleConflictError);
    expect((error as ScheduleConflictError).ids).toEqual([unmanaged]);
    await expect(t.schedules.describe(fresh)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect((await env.client.schedule.getHandle(unmanaged).describe()).action.workflowType).toBe('somethingElse');
  });

  it('rejects an invalid file with every problem and creates nothing', async () => {
    const t = await scheduleTest(env);
    const id = t.id('valid-one');
    const file = t.file([
      { id, dag: 'sched-echo', cron: RARELY },
      { id: t.id('bad'), dag: 'nope', cron: 'x' },
    ]);
    const error = await t.schedules.apply(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleFileError);
    expect((error as ScheduleFileError).issues.map((i) => i.path)).toEqual(['schedules[1].cron', 'schedules[1].dag']);
    expect((error as ScheduleFileError).source).toBe(file);
    await expect(t.schedules.describe(id)).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
