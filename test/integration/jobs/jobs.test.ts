/** The job queue: single jobs as local activities in sharded long-lived workflows, on the real dev server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { ActivityRegistry, defineActivity } from '../../../src/activities';
import { WeftClient } from '../../../src/client/weft-client';
import { JobShardCountError, JobValidationError, shardOf } from '../../../src/client/jobs';
import { dagWorker, type ActivityFn } from '../../helpers/dag';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Activities defined as users define them, so the key reaches them through ctx. */
function activities(calls: Map<string, number>, failFirst = 0): Record<string, ActivityFn> {
  const echo = defineActivity({
    name: 'test.echo',
    input: z.object({ n: z.number() }),
    handler: ({ n }, ctx) => {
      calls.set(ctx.idempotencyKey, (calls.get(ctx.idempotencyKey) ?? 0) + 1);
      return { doubled: n * 2, key: ctx.idempotencyKey };
    },
  });
  let failures = 0;
  const flaky = defineActivity({
    name: 'test.flaky',
    input: z.unknown(),
    handler: (_input, ctx) => {
      calls.set(ctx.idempotencyKey, (calls.get(ctx.idempotencyKey) ?? 0) + 1);
      if (failures++ < failFirst) throw ApplicationFailure.create({ message: `boom ${failures}`, type: 'Boom' });
      return 'recovered';
    },
  });
  // Through a registry, as a Weft worker registers them: the batch lane's activity comes with it.
  return new ActivityRegistry([echo, flaky]).toWorkerActivities() as Record<string, ActivityFn>;
}

async function setUp(calls: Map<string, number>, jobs: ConstructorParameters<typeof WeftClient>[1] extends infer O ? (O extends { jobs?: infer J } ? J : never) : never, failFirst = 0): Promise<WeftClient> {
  const w = await dagWorker(env, activities(calls, failFirst));
  return new WeftClient(env.client, { taskQueue: w.taskQueue, searchAttributes: true, jobs });
}

describe('job queue', () => {
  it('runs an enqueued job and answers its output by id; the activity sees the job key as its idempotency key', async () => {
    const calls = new Map<string, number>();
    const weft = await setUp(calls, { shards: 2 });
    const queue = uniqueId('q');
    const job = await weft.jobs.enqueue({ queue, key: 'order-42', activity: 'test.echo', input: { n: 21 } });
    expect(job).toMatchObject({ id: `${queue}/order-42`, queue, shard: shardOf(`${queue}/order-42`, 2) });
    await expect.poll(async () => (await weft.jobs.getJob(job.id)).state, { timeout: 30_000 }).toBe('succeeded');
    const view = await weft.jobs.getJob(job.id);
    expect(view.output).toEqual({ doubled: 42, key: `weft-jobs:${queue}/order-42` });
    expect(view.attempt).toBe(1);
    expect([...calls.entries()]).toEqual([[`weft-jobs:${queue}/order-42`, 1]]);
  });

  it('runs a job once for a key, however often and concurrently it is enqueued', async () => {
    const calls = new Map<string, number>();
    const weft = await setUp(calls, { shards: 3 });
    const queue = uniqueId('q');
    const refs = await Promise.all(Array.from({ length: 10 }, () => weft.jobs.enqueue({ queue, key: 'once', activity: 'test.echo', input: { n: 1 } })));
    expect(new Set(refs.map((r) => r.id)).size).toBe(1);
    await expect.poll(async () => (await weft.jobs.getJob(refs[0]!.id)).state, { timeout: 30_000 }).toBe('succeeded');
    // After it succeeded, within the retention window, the key is still refused.
    await weft.jobs.enqueue({ queue, key: 'once', activity: 'test.echo', input: { n: 1 } });
    await expect.poll(async () => (await weft.jobs.summary(queue)).reduce((n, s) => n + s.counts.duplicates, 0), { timeout: 30_000 }).toBe(10);
    expect(calls.get(`weft-jobs:${queue}/once`)).toBe(1);
  });

  it('shows a job that failed for good as a failed run, and re-runs it under the same key', async () => {
    const calls = new Map<string, number>();
    const weft = await setUp(calls, { shards: 1 }, 4);
    const queue = uniqueId('q');
    const retry = { maximumAttempts: 2, initialInterval: '10ms' };
    const job = await weft.jobs.enqueue({ queue, key: 'pay-7', activity: 'test.flaky', retry });
    await expect.poll(async () => (await weft.jobs.getJob(job.id)).state, { timeout: 30_000 }).toBe('failed');
    const failed = await weft.jobs.getJob(job.id);
    expect(failed).toMatchObject({ state: 'failed', attempt: 2, error: { message: 'boom 2', type: 'Boom' }, failedRecord: `weft-job-failed:${job.id}` });

    // Listed where failed runs are listed, with the queue as its DAG.
    await expect
      .poll(async () => (await weft.listRuns({ status: 'Failed', dag: `jobs.${queue}` })).map((r) => r.id), { timeout: 30_000 })
      .toEqual([`weft-job-failed:${job.id}`]);

    // The first retry fails twice more, the second (through `runs retry` on the record) succeeds; always under the same key.
    await weft.jobs.retry(job.id);
    await expect.poll(async () => (await weft.jobs.getJob(job.id)).error?.message, { timeout: 30_000 }).toBe('boom 4');
    await weft.retryRun(`weft-job-failed:${job.id}`);
    await expect.poll(async () => (await weft.jobs.getJob(job.id)).state, { timeout: 30_000 }).toBe('succeeded');
    expect((await weft.jobs.getJob(job.id)).output).toBe('recovered');
    expect([...calls.keys()]).toEqual([`weft-jobs:${queue}/pay-7`]);
    expect(calls.get(`weft-jobs:${queue}/pay-7`)).toBe(5);
    // Retrying a job that is not failed is refused.
    await expect(weft.jobs.retry(job.id)).rejects.toThrow(/is succeeded; only a failed job can be retried/);
  });

  it('loses and repeats no job across continue-as-new: 2,000 jobs into one shard', async () => {
    const calls = new Map<string, number>();
    // 40 events: the batch lane records a marker per 25 jobs and, with waves chained up to 500 jobs per
    // task, ~25 events per task, so 2,000 jobs make ~100 events in all and hand over at least once.
    const weft = await setUp(calls, { shards: 1, continueAsNewAfterEvents: 40, concurrency: 50 });
    const queue = uniqueId('q');
    const refs = await Promise.all(Array.from({ length: 2000 }, (_, i) => weft.jobs.enqueue({ queue, key: `k${i}`, activity: 'test.echo', input: { n: i } })));
    expect(new Set(refs.map((r) => r.id)).size).toBe(2000);
    await expect.poll(async () => (await weft.jobs.summary(queue))[0]?.counts.succeeded, { timeout: 180_000, interval: 500 }).toBe(2000);
    const [summary] = await weft.jobs.summary(queue);
    expect(summary).toMatchObject({ pending: 0, running: 0, counts: { accepted: 2000, succeeded: 2000, failed: 0, duplicates: 0 } });
    // Handed over at least once with jobs still pending (they were all signalled before the first hand-over could happen).
    expect(summary!.generation).toBeGreaterThanOrEqual(1);
    expect(calls.size).toBe(2000);
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(await weft.jobs.getJob(`${queue}/k1234`)).toMatchObject({ state: 'succeeded', output: { doubled: 2468 } });
  });

  it("refuses a client whose shard count is not the queue's, so no key is routed to a shard that never saw it", async () => {
    const calls = new Map<string, number>();
    const weft = await setUp(calls, { shards: 2 });
    const queue = uniqueId('q');
    // A key of shard 0, which exists under every count and is the one the check reads.
    const key = Array.from({ length: 64 }, (_, i) => `k${i}`).find((k) => shardOf(`${queue}/${k}`, 2) === 0)!;
    const job = await weft.jobs.enqueue({ queue, key, activity: 'test.echo', input: { n: 1 } });
    const other = new WeftClient(env.client, { taskQueue: 'unused', jobs: { shards: 3 } });
    const err = await other.jobs.enqueue({ queue, key, activity: 'test.echo', input: { n: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobShardCountError);
    expect(err).toMatchObject({ queue, queueShards: 2, clientShards: 3, message: expect.stringMatching(/runs on 2 shards, but this client is configured for 3/) });
    await expect(other.jobs.getJob(job.id)).rejects.toBeInstanceOf(JobShardCountError);
    // The same count is served as before.
    await expect.poll(async () => (await weft.jobs.getJob(job.id)).state, { timeout: 30_000 }).toBe('succeeded');
  });

  it('refuses a bad job at enqueue, naming each problem and its path', async () => {
    const weft = new WeftClient(env.client, { taskQueue: 'unused', activities: ['test.echo'] });
    const err = await weft.jobs.enqueue({ queue: 'Bad Queue', activity: 'test.echo', retry: { maximumAttempts: -1 }, extra: 1 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobValidationError);
    expect((err as JobValidationError).issues.map((i) => i.path).sort()).toEqual(['extra', 'queue', 'retry.maximumAttempts']);
    const unknown = await weft.jobs.enqueue({ queue: 'ok', activity: 'test.nope', timeout: { heartbeat: '5s' } }).catch((e: unknown) => e);
    expect((unknown as JobValidationError).issues).toEqual([
      { path: 'timeout.heartbeat', message: expect.stringMatching(/no heartbeat timeout/) },
      { path: 'activity', message: expect.stringMatching(/test\.nope/) },
    ]);
    const big = await weft.jobs.enqueue({ queue: 'ok', activity: 'test.echo', input: { s: 'x'.repeat(70_000) } }).catch((e: unknown) => e);
    expect((big as JobValidationError).issues[0]).toMatchObject({ path: 'input', message: expect.stringMatching(/at most 65536/) });
  });
});
