/** Priority: on a backlog, work with a higher priority (1) is dispatched before lower (5). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { compileDag } from '../../../src/dag';
import { WeftClient } from '../../../src/client/weft-client';
import { weftActivityInterceptor } from '../../../src/workers/interceptors';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { dagWorker } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('priority', () => {
  it('dispatches the activities of priority-1 runs before those of priority-5 runs from a backlog (dev server: new matcher, one partition per queue)', async () => {
    const taskQueue = uniqueId('prio');
    const activityQueue = `${taskQueue}-activities`;
    const weft = new WeftClient(env.client, { taskQueue });
    // The activity runs on its own queue, so a workflow-only worker can build the backlog.
    const dag = compileDag({ name: 'prio', nodes: [{ id: 'work', activity: 'work', input: '{{ input }}', taskQueue: activityQueue }] });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await weft.startRun({ dag, input: `low-${i}`, priority: 5 })).id);
    for (let i = 0; i < 4; i++) ids.push((await weft.startRun({ dag, input: `high-${i}`, priority: 1 })).id);

    // Workflows start and schedule their activity; nobody serves the activity queue yet.
    await dagWorker(env, {}, { taskQueue });
    for (const id of ids) {
      await expect.poll(async () => ((await env.client.workflow.getHandle(id).describe()).raw.pendingActivities ?? []).length, { timeout: 30_000 }).toBe(1);
    }

    const order: string[] = [];
    const activityWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: activityQueue,
      activities: { work: async (label: string) => (order.push(label), label) },
      interceptors: { activity: [weftActivityInterceptor] },
      maxConcurrentActivityTaskExecutions: 1,
    });
    await activityWorker.runUntil(Promise.all(ids.map((id) => env.client.workflow.getHandle(id).result())));
    expect(order).toHaveLength(12);
    expect(order.slice(0, 4).sort()).toEqual(['high-0', 'high-1', 'high-2', 'high-3']);
  });
});
