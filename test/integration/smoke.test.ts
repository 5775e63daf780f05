/** Proves the dev server is a real Temporal: activities run, schedules fire. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import * as activities from '../fixtures/activities/smoke';
import { createTestWorker, devServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('dev server', () => {
  it('runs a workflow that calls an activity', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities });
    const result = await worker.runUntil(
      env.client.workflow.execute('greetWorkflow', { args: ['weft'], taskQueue, workflowId: uniqueId('greet') }),
    );
    expect(result).toBe(`hello weft from ${taskQueue}`);
  });

  it('creates, describes and triggers a schedule whose run is observed', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities });
    const scheduleId = uniqueId('sched');
    const handle = await env.client.schedule.create({
      scheduleId,
      // An interval far enough out that only the manual trigger starts a run.
      spec: { intervals: [{ every: '365 days' }] },
      action: { type: 'startWorkflow', workflowType: 'greetWorkflow', args: ['schedule'], taskQueue, workflowId: `${scheduleId}-run` },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    try {
      const described = await handle.describe();
      expect(described.scheduleId).toBe(scheduleId);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'greetWorkflow', taskQueue });
      expect(described.info.recentActions).toHaveLength(0);

      await handle.trigger();
      const result = await worker.runUntil(async () => {
        // The schedule starts the run asynchronously; wait for it to appear.
        for (;;) {
          const { info } = await handle.describe();
          const action = info.recentActions[0];
          if (action) {
            const handle = env.client.workflow.getHandle(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId);
            return (await handle.result()) as string;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      });
      expect(result).toBe(`hello schedule from ${taskQueue}`);
    } finally {
      await handle.delete();
    }
  });
});
