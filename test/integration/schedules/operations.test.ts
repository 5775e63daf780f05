/** One schedule at a time, against a real Temporal and a real worker: create, trigger, pause, backfill, delete. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey } from '@temporalio/common';
import { ScheduleExistsError, ScheduleFileError, ScheduleNotFoundError, ScheduleNotManagedError } from '../../../src/client/schedules';
import { devServerEnv } from '../../helpers/temporal';
import { eventually, RARELY, scheduleTest } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('WeftSchedules, one schedule at a time', () => {
  it('creates a schedule, and refuses a second one with the same id', async () => {
    const t = await scheduleTest(env);
    const id = t.id('one-off');
    const view = await t.schedules.create({ id, dag: 'sched-echo', cron: RARELY, timezone: 'UTC', input: { hello: 'world' } });
    expect(view).toMatchObject({ id, dag: 'sched-echo', spec: { cron: [RARELY], input: { hello: 'world' } }, state: { paused: false } });
    expect(view.group).toBeUndefined();
    expect(view.info.nextActionTimes[0]).toMatch(/-01-01T00:00:00\.000Z$/);
    await expect(t.schedules.create({ id, dag: 'sched-echo', cron: RARELY })).rejects.toBeInstanceOf(ScheduleExistsError);
  });

  it('rejects a bad one-off definition with paths relative to the schedule', async () => {
    const t = await scheduleTest(env);
    const error = await t.schedules.create({ id: t.id('bad'), dag: 'sched-echo', cron: ['x'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleFileError);
    expect((error as ScheduleFileError).issues.map((i) => i.path)).toEqual(['cron[0]']);
  });

  it('triggers a run that a real worker completes; its workflow id starts with the schedule id and carries the nominal time', async () => {
    const t = await scheduleTest(env);
    const id = t.id('trigger');
    await t.schedules.create({ id, dag: 'sched-report', cron: RARELY, input: { report: 'weekly' } });

    const started = await t.schedules.trigger(id, undefined, { waitMs: 20_000 });

    const action = await eventually(async () => (await t.schedules.describe(id)).info.recentActions[0], 'the triggered run');
    expect(started?.workflowId).toBe(action.workflowId);
    expect(action.workflowId.startsWith(`${id}-`)).toBe(true);
    expect(action.workflowId).toMatch(new RegExp(`^${id}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
    const handle = env.client.workflow.getHandle(action.workflowId, action.runId);
    expect(await handle.result()).toEqual({ publish: { report: 'weekly' } });
    // Each node's idempotency key is <schedule id>-<nominal time>/<node>.
    expect(t.recorder.calls.map((c) => c.key)).toEqual([`${action.workflowId}/gather`, `${action.workflowId}/publish`]);
    const run = await handle.describe();
    expect(run.memo).toMatchObject({ weftDag: 'sched-report', weftSchedule: id });
    expect(run.typedSearchAttributes.get(defineSearchAttributeKey('WeftDag', 'KEYWORD'))).toBe('sched-report');
  });

  it('pauses and unpauses, with notes, as describe shows', async () => {
    const t = await scheduleTest(env);
    const id = t.id('pause');
    await t.schedules.create({ id, dag: 'sched-echo', cron: RARELY });

    expect((await t.schedules.pause(id, 'maintenance')).state).toEqual({ paused: true, note: 'maintenance' });
    expect((await t.schedules.describe(id)).state).toEqual({ paused: true, note: 'maintenance' });
    expect((await t.schedules.unpause(id, 'done')).state).toEqual({ paused: false, note: 'done' });
    expect((await t.schedules.describe(id)).state.paused).toBe(false);
  });

  it('backfills a window: one run per nominal time in it, each with that time in its id', async () => {
    const t = await scheduleTest(env);
    const id = t.id('backfill');
    // Midnight on the 1st of each month.
    await t.schedules.create({ id, dag: 'sched-echo', cron: '0 0 1 * *', input: { month: true } });

    await t.schedules.backfill(id, new Date('2026-01-15T00:00:00Z'), new Date('2026-04-15T00:00:00Z'));

    const expected = ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'].map((time) => `${id}-${time}`);
    const actions = await eventually(async () => {
      const { info } = await t.schedules.describe(id);
      return info.recentActions.length >= 3 && info.recentActions;
    }, 'three backfilled runs');
    expect(actions.map((a) => a.workflowId).sort()).toEqual(expected);
    expect(actions.map((a) => a.scheduledAt).sort()).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    for (const a of actions) expect(await env.client.workflow.getHandle(a.workflowId, a.runId).result()).toEqual({ echo: { month: true } });
  });

  it('lists Weft-managed schedules only, each described', async () => {
    const t = await scheduleTest(env);
    const [mine, unmanaged] = [t.id('listed'), t.id('unlisted')];
    await t.schedules.create({ id: mine, dag: 'sched-echo', cron: RARELY, paused: true, note: 'listed' });
    await env.client.schedule.create({
      scheduleId: unmanaged,
      spec: { cronExpressions: [RARELY] },
      action: { type: 'startWorkflow', workflowType: 'dagRun', taskQueue: t.taskQueue, args: [] },
    });
    const list = await eventually(async () => {
      const views = await t.schedules.list();
      return views.some((v) => v.id === mine) && views;
    }, `${mine} in the list`);
    expect(list.find((v) => v.id === mine)).toMatchObject({ dag: 'sched-echo', state: { paused: true, note: 'listed' } });
    expect(list.some((v) => v.id === unmanaged)).toBe(false);
  });

  it('deletes a schedule; then it is not found', async () => {
    const t = await scheduleTest(env);
    const id = t.id('delete');
    await t.schedules.create({ id, dag: 'sched-echo', cron: RARELY });
    await t.schedules.delete(id);
    await expect(t.schedules.describe(id)).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('says "not found" for an unknown id, and refuses to act on schedules Weft does not manage', async () => {
    const t = await scheduleTest(env);
    const missing = t.id('missing');
    for (const op of [() => t.schedules.describe(missing), () => t.schedules.pause(missing), () => t.schedules.trigger(missing), () => t.schedules.delete(missing)]) {
      await expect(op()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    }
    const unmanaged = t.id('unmanaged');
    await env.client.schedule.create({
      scheduleId: unmanaged,
      spec: { cronExpressions: [RARELY] },
      action: { type: 'startWorkflow', workflowType: 'dagRun', taskQueue: t.taskQueue, args: [] },
    });
    await expect(t.schedules.delete(unmanaged)).rejects.toBeInstanceOf(ScheduleNotManagedError);
    expect((await env.client.schedule.getHandle(unmanaged).describe()).scheduleId).toBe(unmanaged);
  });
});
