/** FIFO per key: one entity workflow per key runs its jobs in arrival order, keys independent. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { compileDag } from '../../../src/dag';
import { WeftClient } from '../../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { dagWorker } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const jobDag = compileDag({ name: 'queue-job', nodes: [{ id: 'work', activity: 'work', input: { key: '{{ input.key }}', job: '{{ input.job }}' } }] });

describe('FIFO queue per key', () => {
  it('runs 200 jobs from 4 concurrent producers one at a time in the order accepted, across continue-as-new, while another key progresses', async () => {
    const log: string[] = [];
    let inFlightA = 0;
    let maxInFlightA = 0;
    const w = await dagWorker(env, {
      work: async ({ key, job }: { key: string; job: string }) => {
        if (key === 'A') {
          inFlightA++;
          maxInFlightA = Math.max(maxInFlightA, inFlightA);
          await new Promise((r) => setTimeout(r, 5));
          inFlightA--;
        }
        log.push(`${key}:${job}`);
        return job;
      },
    });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const keyA = uniqueId('A');
    const keyB = uniqueId('B');
    const queue = { continueAsNewAfterEvents: 400 };
    await Promise.all(
      [0, 1, 2, 3].map(async (p) => {
        for (let i = 0; i < 50; i++) await weft.enqueue(keyA, jobDag, { key: 'A', job: `p${p}-${i}` }, { idempotencyKey: `p${p}-${i}`, queue });
      }),
    );
    for (let i = 0; i < 5; i++) await weft.enqueue(keyB, jobDag, { key: 'B', job: `b${i}` }, { idempotencyKey: `b${i}` });

    // Key B finishes its 5 jobs while key A still has a backlog.
    await expect.poll(async () => (await weft.queueStatus(keyB)).counts.succeeded, { timeout: 30_000 }).toBe(5);
    const aWhenBDone = await weft.queueStatus(keyA);
    expect(aWhenBDone.length + aWhenBDone.running.length).toBeGreaterThan(0);

    await expect.poll(async () => (await weft.queueStatus(keyA)).counts.succeeded, { timeout: 120_000, interval: 500 }).toBe(200);
    const status = await weft.queueStatus(keyA, 1000);
    expect(status.counts).toEqual({ accepted: 200, succeeded: 200, failed: 0, superseded: 0, duplicates: 0 });
    expect(status.generation).toBeGreaterThan(0);
    const accepted = [...status.recent].sort((x, y) => x.seq - y.seq).map((r) => r.jobId);
    expect(accepted).toHaveLength(200);
    // Each producer's own jobs were accepted in the order it sent them.
    for (let p = 0; p < 4; p++) {
      const mine = accepted.filter((j) => j.startsWith(`p${p}-`));
      expect(mine).toEqual(Array.from({ length: 50 }, (_, i) => `p${p}-${i}`));
    }
    // And they ran exactly in the accepted order, one at a time.
    expect(log.filter((l) => l.startsWith('A:')).map((l) => l.slice(2))).toEqual(accepted);
    expect(maxInFlightA).toBe(1);
  }, 180_000);

  it('drops a job whose idempotency key was already accepted', async () => {
    const runs: string[] = [];
    const w = await dagWorker(env, { work: async ({ job }: { job: string }) => (runs.push(job), job) });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const key = uniqueId('dup');
    const first = await weft.enqueue(key, jobDag, { key: 'D', job: 'one' }, { idempotencyKey: 'same' });
    const second = await weft.enqueue(key, jobDag, { key: 'D', job: 'two' }, { idempotencyKey: 'same' });
    expect(second.runId).toBe(first.runId);
    await expect.poll(async () => (await weft.queueStatus(key)).counts, { timeout: 20_000 }).toMatchObject({ accepted: 1, succeeded: 1, duplicates: 1 });
    expect(runs).toEqual(['one']);
    expect(await env.client.workflow.getHandle(first.runId).result()).toEqual({ work: 'one' });
  });

  it('with debounce, runs only the newest job of a burst', async () => {
    const runs: string[] = [];
    const w = await dagWorker(env, { work: async ({ job }: { job: string }) => (runs.push(job), job) });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const key = uniqueId('debounce');
    for (const job of ['v1', 'v2', 'v3']) await weft.enqueue(key, jobDag, { key: 'S', job }, { queue: { debounce: '1s' } });
    await expect.poll(async () => (await weft.queueStatus(key)).counts, { timeout: 20_000 }).toMatchObject({ accepted: 3, succeeded: 1, superseded: 2 });
    expect(runs).toEqual(['v3']);
  });
});
