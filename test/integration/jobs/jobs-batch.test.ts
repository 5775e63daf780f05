/**
 * The job queue's batch lane on the real dev server: jobs share local
 * activities, yet each keeps its key, its outcome, its retry policy and its
 * timeout; a worker without the batch activity still runs every job.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { z } from 'zod';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { ActivityRegistry, defineActivity } from '../../../src/activities';
import { WeftClient } from '../../../src/client/weft-client';
import type { JobsOptions } from '../../../src/client/jobs';
import { dagWorker, type ActivityFn } from '../../helpers/dag';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface Seen {
  calls: Map<string, number>;
  aborted: Set<string>;
}

/** Activities as users define them: the key and the abort signal reach them through ctx. */
function definitions(seen: Seen) {
  const count = (key: string): number => {
    const n = (seen.calls.get(key) ?? 0) + 1;
    seen.calls.set(key, n);
    return n;
  };
  return [
    defineActivity({ name: 'test.echo', input: z.object({ n: z.number() }), handler: ({ n }, ctx) => (count(ctx.idempotencyKey), { n, key: ctx.idempotencyKey }) }),
    defineActivity({
      name: 'test.failTimes',
      input: z.object({ times: z.number(), type: z.string().default('Boom') }),
      handler: ({ times, type }, ctx) => {
        const n = count(ctx.idempotencyKey);
        if (n <= times) throw ApplicationFailure.create({ message: `boom ${n}`, type });
        return `ok after ${n}`;
      },
    }),
    defineActivity({
      name: 'test.slow',
      input: z.object({ ms: z.number() }),
      handler: async ({ ms }, ctx) => {
        count(ctx.idempotencyKey);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, ms);
          ctx.signal.addEventListener('abort', () => (clearTimeout(t), seen.aborted.add(ctx.idempotencyKey), resolve()), { once: true });
        });
        return 'slept';
      },
    }),
  ];
}

/** A batch activity that fails as a whole, as one cut off by its own timeout or a worker shutting down does. */
const failingBatch: ActivityFn = () => Promise.reject(ApplicationFailure.create({ message: 'the batch failed as a whole', type: 'BatchLost' }));

async function setUp(jobs: JobsOptions, opts: { failBatches?: boolean } = {}): Promise<{ weft: WeftClient; seen: Seen }> {
  const seen: Seen = { calls: new Map(), aborted: new Set() };
  const all = new ActivityRegistry(definitions(seen)).toWorkerActivities() as Record<string, ActivityFn>;
  const activities = opts.failBatches ? { ...all, 'weft.jobs.batch': failingBatch } : all;
  const w = await dagWorker(env, activities);
  return { weft: new WeftClient(env.client, { taskQueue: w.taskQueue, searchAttributes: true, jobs }), seen };
}

/** Local activity markers in the shard's current history: one per batch, or one per job on the one-job lane. */
async function localActivityMarkers(weft: WeftClient, shardId: string): Promise<number> {
  const history = await weft.temporal.workflow.getHandle(shardId).fetchHistory();
  return (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
}

async function settled(weft: WeftClient, queue: string, n: number): Promise<void> {
  await expect.poll(async () => (await weft.jobs.summary(queue)).reduce((sum, s) => sum + s.counts.succeeded + s.counts.failed, 0), { timeout: 60_000, interval: 200 }).toBe(n);
}

describe('job queue, batch lane', () => {
  it('runs 60 jobs in batches of 20, each under its own key with its own output', async () => {
    const { weft, seen } = await setUp({ shards: 1, batchSize: 20 });
    const queue = uniqueId('q');
    const refs = await Promise.all(Array.from({ length: 60 }, (_, i) => weft.jobs.enqueue({ queue, key: `k${i}`, activity: 'test.echo', input: { n: i } })));
    await settled(weft, queue, 60);
    expect(await weft.jobs.getJob(`${queue}/k7`)).toMatchObject({ state: 'succeeded', attempt: 1, output: { n: 7, key: `weft-jobs:${queue}/k7` } });
    expect(seen.calls.size).toBe(60);
    expect([...seen.calls.values()].every((n) => n === 1)).toBe(true);
    // Three batches at least (waves may cut them smaller), far from one marker per job.
    const markers = await localActivityMarkers(weft, refs[0]!.shardId);
    expect(markers).toBeGreaterThanOrEqual(3);
    expect(markers).toBeLessThan(30);
  });

  it('retries a failed job on its own per its policy, fails one for good as a failed run, and leaves its batch-mates alone', async () => {
    const { weft, seen } = await setUp({ shards: 1, batchSize: 10 });
    const queue = uniqueId('q');
    const retry = { maximumAttempts: 3, initialInterval: '50ms' };
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => weft.jobs.enqueue({ queue, key: `ok${i}`, activity: 'test.echo', input: { n: i } })),
      weft.jobs.enqueue({ queue, key: 'flaky', activity: 'test.failTimes', input: { times: 2 }, retry }),
      weft.jobs.enqueue({ queue, key: 'doomed', activity: 'test.failTimes', input: { times: 9 }, retry }),
      weft.jobs.enqueue({ queue, key: 'fatal', activity: 'test.failTimes', input: { times: 9, type: 'Fatal' }, retry: { ...retry, nonRetryableErrorTypes: ['Fatal'] } }),
    ]);
    await settled(weft, queue, 11);
    expect(await weft.jobs.getJob(`${queue}/flaky`)).toMatchObject({ state: 'succeeded', attempt: 3, output: 'ok after 3' });
    expect(await weft.jobs.getJob(`${queue}/doomed`)).toMatchObject({ state: 'failed', attempt: 3, error: { message: 'boom 3', type: 'Boom' } });
    expect(await weft.jobs.getJob(`${queue}/fatal`)).toMatchObject({ state: 'failed', attempt: 1, error: { message: 'boom 1', type: 'Fatal' } });
    expect(seen.calls.get(`weft-jobs:${queue}/doomed`)).toBe(3);
    expect(seen.calls.get(`weft-jobs:${queue}/fatal`)).toBe(1);
    expect(seen.calls.get(`weft-jobs:${queue}/ok3`)).toBe(1);
    await expect
      .poll(async () => (await weft.listRuns({ status: 'Failed', dag: `jobs.${queue}` })).map((r) => r.id).sort(), { timeout: 30_000 })
      .toEqual([`weft-job-failed:${queue}/doomed`, `weft-job-failed:${queue}/fatal`]);
    // `weft jobs retry` re-enqueues it; its fourth call (under the same key) fails again and is recorded again.
    await weft.jobs.retry(`${queue}/fatal`);
    await expect.poll(async () => (await weft.jobs.getJob(`${queue}/fatal`)).error?.message, { timeout: 30_000 }).toBe('boom 2');
  });

  it("times a slow job out on its own timeout, aborting its signal, while its batch-mates finish", async () => {
    const { weft, seen } = await setUp({ shards: 1, batchSize: 10 });
    const queue = uniqueId('q');
    await Promise.all([
      weft.jobs.enqueue({ queue, key: 'slow', activity: 'test.slow', input: { ms: 30_000 }, timeout: '500ms', retry: { maximumAttempts: 1 } }),
      ...Array.from({ length: 5 }, (_, i) => weft.jobs.enqueue({ queue, key: `fast${i}`, activity: 'test.slow', input: { ms: 10 } })),
    ]);
    await settled(weft, queue, 6);
    expect(await weft.jobs.getJob(`${queue}/slow`)).toMatchObject({ state: 'failed', attempt: 1, error: { type: 'ActivityTimeout' } });
    expect(await weft.jobs.getJob(`${queue}/fast3`)).toMatchObject({ state: 'succeeded', output: 'slept' });
    expect([...seen.aborted]).toEqual([`weft-jobs:${queue}/slow`]);
  });

  it('runs the jobs of a batch that failed as a whole one by one, and the shard history replays', async () => {
    const { weft, seen } = await setUp({ shards: 1, batchSize: 10 }, { failBatches: true });
    const queue = uniqueId('q');
    const refs = await Promise.all(Array.from({ length: 20 }, (_, i) => weft.jobs.enqueue({ queue, key: `k${i}`, activity: 'test.echo', input: { n: i } })));
    await settled(weft, queue, 20);
    expect(await weft.jobs.getJob(`${queue}/k19`)).toMatchObject({ state: 'succeeded', attempt: 1, output: { n: 19 } });
    expect([...seen.calls.values()].every((n) => n === 1)).toBe(true);
    // A marker per failed batch and one per job.
    expect(await localActivityMarkers(weft, refs[0]!.shardId)).toBeGreaterThan(20);
    const history = await weft.temporal.workflow.getHandle(refs[0]!.shardId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, 'replay-failed-batches');
  });
});
