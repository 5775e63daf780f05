/**
 * Rate limits and routing: an activity type on its own task queue and worker
 * pool (Celery's task_routes), a per-task-queue activity rate limit, a
 * per-key throttle, and progress reported from inside an activity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { compileDag } from '../../../src/dag';
import { progress } from '../../../src/activities';
import { WeftClient } from '../../../src/client/weft-client';
import { weftActivityInterceptor } from '../../../src/workers/interceptors';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { dagWorker } from '../../helpers/dag';
import { gate } from '../../helpers/activities';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

function activityWorker(taskQueue: string, activities: Record<string, (x: never) => Promise<unknown>>, extra: Partial<Parameters<typeof Worker.create>[0]> = {}) {
  return Worker.create({ connection: env.nativeConnection, taskQueue, activities, interceptors: { activity: [weftActivityInterceptor] }, ...extra });
}

describe('routing and rate limits', () => {
  it('routes a node to its own task queue, served by a separate worker pool', async () => {
    const seen: string[] = [];
    const w = await dagWorker(env, { 'text.upper': async (s: string) => (seen.push('main'), s.toUpperCase()) });
    const gpuQueue = `${w.taskQueue}-gpu`;
    const gpu = await activityWorker(gpuQueue, { 'images.render': async (s: string) => (seen.push('gpu'), `rendered ${s}`) });
    const handle = await w.start({
      name: 'routed',
      nodes: [
        { id: 'title', activity: 'text.upper', input: 'hello' },
        { id: 'render', activity: 'images.render', after: ['title'], taskQueue: gpuQueue, input: '{{ nodes.title.output }}' },
      ],
    });
    expect(await gpu.runUntil(handle.result())).toEqual({ render: 'rendered HELLO' });
    expect(seen).toEqual(['main', 'gpu']);
  });

  it('caps activities per second across all workers of a task queue', async () => {
    const starts: number[] = [];
    const w = await dagWorker(env, {}, {});
    const limitedQueue = `${w.taskQueue}-limited`;
    // The worker could run 50 at once; the queue-wide limit (enforced by the server) is 2 per second.
    const workers = [await activityWorker(limitedQueue, { tick: async () => starts.push(Date.now()) }, { maxTaskQueueActivitiesPerSecond: 2, maxConcurrentActivityTaskExecutions: 50 })];
    const handle = await w.start({ name: 'limited', concurrency: 20, nodes: Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, activity: 'tick', taskQueue: limitedQueue })) });
    const running = workers.map((x) => x.run());
    try {
      await handle.result();
    } finally {
      workers.forEach((x) => x.shutdown());
      await Promise.all(running);
    }
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(8);
    // Unlimited, the 8 start within a few hundred ms; at 2 per second (with the limiter's small burst) they span well over 2 s.
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(2000);
  });

  it('throttles the starts of one key: at most one job per interval', async () => {
    const starts: number[] = [];
    const w = await dagWorker(env, { work: async () => starts.push(Date.now()) });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const key = uniqueId('throttle');
    const dag = compileDag({ name: 'throttled', nodes: [{ id: 'work', activity: 'work' }] });
    for (let i = 0; i < 3; i++) await weft.enqueue(key, dag, null, { queue: { throttle: '1s' } });
    await expect.poll(async () => (await weft.queueStatus(key)).counts.succeeded, { timeout: 20_000 }).toBe(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(900);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(900);
  });
});

describe('progress', () => {
  it("shows an activity's progress in the run status while it runs", async () => {
    const g = gate();
    const w = await dagWorker(env, {
      crunch: async () => {
        progress(3, 10, 'rows');
        await g.wait();
        return 'done';
      },
    });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const id = uniqueId('progress');
    await weft.startRun({ id, dag: compileDag({ name: 'progress', nodes: [{ id: 'crunch', activity: 'crunch', timeout: { startToClose: '1m', heartbeat: '10s' } }] }) });
    await expect.poll(async () => (await weft.getRun(id)).status?.nodes[0]?.progress, { timeout: 20_000 }).toEqual({ done: 3, total: 10, note: 'rows' });
    g.release();
    await env.client.workflow.getHandle(id).result();
  });
});
