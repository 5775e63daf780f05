/**
 * The activity stalls of BENCHMARKS.md section 16, provoked on purpose. Under
 * CPU starvation the server can record an activity task as STARTED (attempt
 * 1, the poller's identity) while no worker ever receives it: matching gives
 * history 1 s to record a sync-matched start, history commits later, matching
 * calls the dispatch failed, and the retried dispatch is dropped as "already
 * started". Here a raw poller takes the task and never answers, which leaves
 * the server in exactly that state, deterministically. What ends such a stall
 * is the activity's own timeout: its start-to-close (or heartbeat) timeout
 * fires, and the retry policy dispatches attempt 2 to a live worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { statusQuery } from '../../src/workflows/messages';
import { weftActivityInterceptor } from '../../src/workers/interceptors';
import { devServerEnv } from '../helpers/temporal';
import { dagWorker } from '../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Takes one activity task from `taskQueue` as a worker would, and drops it: the server now holds it STARTED. */
async function loseOneTask(taskQueue: string): Promise<{ activityType: string; attempt: number }> {
  // A long poll must carry a deadline; the server answers empty after ~60 s without a task.
  const res = await env.connection.withDeadline(Date.now() + 30_000, () =>
    env.client.workflowService.pollActivityTaskQueue({ namespace: env.namespace ?? 'default', taskQueue: { name: taskQueue }, identity: 'lost-task-poller' }),
  );
  if (!res.taskToken?.length) throw new Error(`no activity task reached the poll on ${taskQueue}`);
  return { activityType: res.activityType?.name ?? '', attempt: res.attempt ?? 0 };
}

describe('a lost activity task', () => {
  it('is retried on a live worker once the node timeout passes, and the run completes', async () => {
    const w = await dagWorker(env, {});
    // The node is routed to a queue of its own, so the poller below is the only one there when attempt 1 is dispatched.
    const lossyQueue = `${w.taskQueue}-lossy`;
    const polled = loseOneTask(lossyQueue);
    const handle = await w.start({
      name: 'lost-task',
      nodes: [{ id: 'work', activity: 'work', input: { n: 1 }, taskQueue: lossyQueue, timeout: '2s', retry: { maximumAttempts: 3, initialInterval: '100ms' } }],
    });
    expect(await polled).toEqual({ activityType: 'work', attempt: 1 });

    // The stall as the benchmark saw it: STARTED, attempt 1, started by a poller that will never answer.
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    expect(pending.map((a) => [String(a.activityType?.name), a.attempt, a.lastWorkerIdentity, a.state])).toEqual([['work', 1, 'lost-task-poller', 2]]);

    const calls: number[] = [];
    const live = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: lossyQueue,
      interceptors: { activity: [weftActivityInterceptor] },
      activities: { work: async (x: { n: number }) => (calls.push(x.n), { n: x.n + 1 }) },
    });
    expect(await live.runUntil(handle.result())).toEqual({ work: { n: 2 } });
    expect(calls).toEqual([1]); // attempt 1 never reached a worker: the live worker ran attempt 2 only
    const status = await handle.query(statusQuery);
    expect(status.nodes.map((n) => [n.id, n.state, n.attempts])).toEqual([['work', 'succeeded', 2]]);
    const timedOut = ((await handle.fetchHistory()).events ?? []).filter((e) => e.activityTaskTimedOutEventAttributes);
    expect(timedOut).toHaveLength(0); // the timeout was retried by the server, so no TimedOut event: only the second start completed
  });

  it('is retried after a missed heartbeat when the node has a heartbeat timeout, whatever its start-to-close', async () => {
    const w = await dagWorker(env, {});
    const lossyQueue = `${w.taskQueue}-lossy`;
    const polled = loseOneTask(lossyQueue);
    // The default start-to-close (5m) stays: only the heartbeat timeout can end the lost attempt within the test.
    const handle = await w.start({
      name: 'lost-task-heartbeat',
      nodes: [{ id: 'long', activity: 'long', input: 1, taskQueue: lossyQueue, timeout: { heartbeat: '2s' }, retry: { initialInterval: '100ms' } }],
    });
    expect(await polled).toEqual({ activityType: 'long', attempt: 1 });
    const live = await Worker.create({ connection: env.nativeConnection, taskQueue: lossyQueue, interceptors: { activity: [weftActivityInterceptor] }, activities: { long: async (n: number) => n + 1 } });
    expect(await live.runUntil(handle.result())).toEqual({ long: 2 });
    const status = await handle.query(statusQuery);
    expect(status.nodes.map((n) => [n.id, n.state, n.attempts])).toEqual([['long', 'succeeded', 2]]);
  });

  it('never happens to a local node: its call does not pass through an activity task queue', async () => {
    const w = await dagWorker(env, { work: async (x: { n: number }) => ({ n: x.n + 1 }) });
    const handle = await w.start({ name: 'local-node', nodes: [{ id: 'work', activity: 'work', input: { n: 1 }, mode: 'local' }] });
    expect(await handle.result()).toEqual({ work: { n: 2 } });
    const history = (await handle.fetchHistory()).events ?? [];
    expect(history.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
    expect(history.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(1);
  });
});
