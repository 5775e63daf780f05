/** /v1/jobs over a real API, client and worker: enqueue, status by id, duplicates, retry, and 400s that name the path. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { apiFor } from '../api/harness';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

describe('HTTP /v1/jobs', () => {
  it('enqueues with an Idempotency-Key, answers the job by id, and runs a repeated key once', async () => {
    let calls = 0;
    const api = await apiFor(env, { 'test.add': async ({ a, b }: { a: number; b: number }) => (calls++, a + b) });
    const queue = uniqueId('q');
    const send = () => api.call('POST', '/v1/jobs', { json: { queue, activity: 'test.add', input: { a: 2, b: 3 } }, headers: { 'idempotency-key': 'sum-1' } });
    const res = await send();
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: `${queue}/sum-1`, queue });
    expect((await send()).status).toBe(202);
    await expect.poll(async () => ((await (await api.call('GET', `/v1/jobs/${queue}/sum-1`)).json()) as { state: string }).state, { timeout: 30_000 }).toBe('succeeded');
    expect(await (await api.call('GET', `/v1/jobs/${queue}/sum-1`)).json()).toMatchObject({ state: 'succeeded', output: 5, activity: 'test.add' });
    expect(calls).toBe(1);
    expect((await api.call('GET', `/v1/jobs/${queue}/nope`)).status).toBe(404);
    expect((await api.call('POST', `/v1/jobs/${queue}/sum-1/retry`)).status).toBe(409);
  });

  it('lists a failed job with the failed runs and re-runs it through POST .../retry', async () => {
    let fail = true;
    const api = await apiFor(env, {
      'test.once': async () => {
        if (fail) throw ApplicationFailure.nonRetryable('not yet', 'NotYet');
        return 'done';
      },
    });
    const queue = uniqueId('q');
    await api.call('POST', '/v1/jobs', { json: { queue, key: 'k', activity: 'test.once' } });
    await expect.poll(async () => ((await (await api.call('GET', `/v1/jobs/${queue}/k`)).json()) as { state: string }).state, { timeout: 30_000 }).toBe('failed');
    const runs = (await (await api.call('GET', `/v1/runs?status=Failed&dag=jobs.${queue}`)).json()) as { runs?: Array<{ id: string }> } | Array<{ id: string }>;
    expect(JSON.stringify(runs)).toContain(`weft-job-failed:${queue}/k`);
    fail = false;
    expect((await api.call('POST', `/v1/jobs/${queue}/k/retry`)).status).toBe(202);
    await expect.poll(async () => ((await (await api.call('GET', `/v1/jobs/${queue}/k`)).json()) as { output?: unknown }).output, { timeout: 30_000 }).toBe('done');
  });

  it('refuses bad jobs with 400 and the path of each problem', async () => {
    const api = await apiFor(env, {});
    const bad = await api.call('POST', '/v1/jobs', { json: { queue: 'Not Valid', activity: 'x', retry: { maximumAttempts: 'many' }, after: ['a'] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.issues!.map((i) => i.path).sort()).toEqual(['after', 'queue', 'retry.maximumAttempts']);
    const header = await api.call('POST', '/v1/jobs', { json: { queue: 'ok', activity: 'x' }, headers: { 'idempotency-key': 'has/slash' } });
    expect(header.status).toBe(400);
    expect(((await header.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
    const beat = await api.call('POST', '/v1/jobs', { json: { queue: 'ok', activity: 'x', timeout: { heartbeat: '5s' } } });
    expect(beat.status).toBe(400);
    expect(((await beat.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'timeout.heartbeat', message: expect.stringMatching(/no heartbeat timeout/) })]);
  });
});
