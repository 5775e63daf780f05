/**
 * A shard's waves on the real dev server: new shards start the next wave in
 * the same workflow task, up to `jobsPerTask` jobs, instead of closing the task
 * with a 1 ms timer after every wave; a queue whose `jobsPerTask` is at most its
 * `concurrency` keeps a task (and a timer) per wave, and so do waves of slow
 * jobs (over a second in one task). Either way every job runs
 * once and the history replays.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { z } from 'zod';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ActivityRegistry, defineActivity } from '../../../src/activities';
import { WeftClient } from '../../../src/client/weft-client';
import type { JobsOptions } from '../../../src/client/jobs';
import { WAVES_PATCH } from '../../../src/workflows/jobs/waves';
import { dagWorker, type ActivityFn } from '../../helpers/dag';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function setUp(jobs: JobsOptions): Promise<{ weft: WeftClient; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  const count = (key: string): void => void calls.set(key, (calls.get(key) ?? 0) + 1);
  const echo = defineActivity({ name: 'test.echo', input: z.object({ n: z.number() }), handler: ({ n }, ctx) => (count(ctx.idempotencyKey), n) });
  const slow = defineActivity({
    name: 'test.slow',
    input: z.object({ n: z.number() }),
    handler: async ({ n }, ctx) => (count(ctx.idempotencyKey), await new Promise((resolve) => setTimeout(resolve, 1_100)), n),
  });
  const w = await dagWorker(env, new ActivityRegistry([echo, slow]).toWorkerActivities() as Record<string, ActivityFn>);
  return { weft: new WeftClient(env.client, { taskQueue: w.taskQueue, jobs }), calls };
}

/** Runs n jobs on one shard and returns the shard's history once all have finished. */
async function runJobs(weft: WeftClient, n: number, activity = 'test.echo') {
  const queue = uniqueId('q');
  const refs = await Promise.all(Array.from({ length: n }, (_, i) => weft.jobs.enqueue({ queue, key: `k${i}`, activity, input: { n: i } })));
  await expect.poll(async () => (await weft.jobs.summary(queue)).reduce((sum, s) => sum + s.counts.succeeded, 0), { timeout: 60_000, interval: 200 }).toBe(n);
  const history = await weft.temporal.workflow.getHandle(refs[0]!.shardId).fetchHistory();
  const events = history.events ?? [];
  // A patch marker's data is the JSON {"id": <patch id>, ...}.
  const patches = events
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => Buffer.from(e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data ?? []).toString('utf8'));
  return {
    history,
    timers: events.filter((e) => e.timerStartedEventAttributes).length,
    wavesPatch: patches.some((p) => p.includes(JSON.stringify(WAVES_PATCH))),
  };
}

describe('job queue, waves', () => {
  it('chains waves in one workflow task up to jobsPerTask, each job once, and the history replays', async () => {
    const { weft, calls } = await setUp({ shards: 1, concurrency: 10, batchSize: 5, jobsPerTask: 40 });
    const { history, timers, wavesPatch } = await runJobs(weft, 80);
    expect(calls.size).toBe(80);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(wavesPatch).toBe(true);
    // Eight waves of 10; a task per wave would close seven with a timer. Chained, a timer follows each 40 jobs at most.
    expect(timers).toBeLessThanOrEqual(2);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, 'replay-chained-waves');
  });

  it('keeps a task per wave of slow jobs (over a second in all), so status queries and new jobs do not wait for several', async () => {
    const { weft, calls } = await setUp({ shards: 1, concurrency: 5, batchSize: 5, jobsPerTask: 100 });
    const { history, timers, wavesPatch } = await runJobs(weft, 15, 'test.slow');
    expect(calls.size).toBe(15);
    expect(wavesPatch).toBe(true);
    // Three waves of 1.1 s: each closes its task with a timer but the last; chained, there would be none.
    expect(timers).toBe(2);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, 'replay-slow-waves');
  });

  it('keeps a task per wave when jobsPerTask is at most concurrency, without the patch', async () => {
    const { weft, calls } = await setUp({ shards: 1, concurrency: 10, batchSize: 5, jobsPerTask: 10 });
    const { history, timers, wavesPatch } = await runJobs(weft, 40);
    expect(calls.size).toBe(40);
    expect(wavesPatch).toBe(false);
    expect(timers).toBeGreaterThanOrEqual(1);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, 'replay-task-per-wave');
  });

  it('refuses a jobsPerTask that is not a positive integer, naming the option', () => {
    expect(() => new WeftClient(env.client, { taskQueue: 'unused', jobs: { jobsPerTask: 0 } }).jobs).toThrow(/jobs\.jobsPerTask: expected an integer of at least 1, got 0/);
  });
});
