/** Schedules, FIFO queues and failure decisions through the API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const echoDag = { name: 'api-echo', nodes: [{ id: 'echo', activity: 'echo', input: '{{ input }}' }] };
const echo = async (x: unknown) => x;

describe('/v1/schedules', () => {
  it('creates, lists, pauses, triggers and deletes a schedule', async () => {
    const api = await apiFor(env, { echo }, { dags: { 'echo.yaml': echoDag } });
    const id = uniqueId('sched');
    const created = await api.call('POST', '/v1/schedules', { json: { id, dag: 'api-echo', input: { hello: 'api' }, interval: { every: '1h' } } });
    expect(created.status).toBe(201);
    try {
      const list = (await (await api.call('GET', '/v1/schedules')).json()) as { schedules: Array<{ id: string }> };
      expect(list.schedules.map((s) => s.id)).toContain(id);
      const paused = (await (await api.call('POST', `/v1/schedules/${id}/pause`, { json: { note: 'maintenance' } })).json()) as { state: { paused: boolean; note: string } };
      expect(paused.state).toMatchObject({ paused: true, note: 'maintenance' });
      const triggered = await api.call('POST', `/v1/schedules/${id}/trigger`, { json: {} });
      expect(triggered.status).toBe(202);
      const { action } = (await triggered.json()) as { action: { workflowId: string } | null };
      expect(action?.workflowId.startsWith(id)).toBe(true);
      expect(await env.client.workflow.getHandle(action!.workflowId).result()).toEqual({ echo: { hello: 'api' } });
    } finally {
      expect((await api.call('DELETE', `/v1/schedules/${id}`)).status).toBe(204);
    }
    expect((await api.call('GET', `/v1/schedules/${id}`)).status).toBe(404);
  });

  it('answers 400 with the path of each problem for an invalid schedule', async () => {
    const api = await apiFor(env, { echo }, { dags: { 'echo.yaml': echoDag } });
    const res = await api.call('POST', '/v1/schedules', { json: { id: uniqueId('bad'), dag: 'api-echo', cron: 'every tuesday', timezone: 'Mars/Olympus' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; issues: Array<{ path: string }> } };
    expect(body.error.code).toBe('invalid_schedule');
    expect(body.error.issues.map((i) => i.path)).toEqual(expect.arrayContaining([expect.stringContaining('cron'), expect.stringContaining('timezone')]));
  });
});

describe('/v1/queues', () => {
  it('enqueues jobs that run in order, and reports the queue; the same Idempotency-Key is a duplicate', async () => {
    const api = await apiFor(env, { echo }, { dags: { 'echo.yaml': echoDag } });
    const key = uniqueId('q');
    const jobs: Array<{ runId: string }> = [];
    for (const n of [1, 2, 3]) {
      const res = await api.call('POST', `/v1/queues/${key}/jobs`, { json: { dag: 'api-echo', input: { n } }, headers: { 'idempotency-key': `job-${n}` } });
      expect(res.status).toBe(202);
      jobs.push((await res.json()) as { runId: string });
    }
    const dup = (await (await api.call('POST', `/v1/queues/${key}/jobs`, { json: { dag: 'api-echo', input: { n: 99 } }, headers: { 'idempotency-key': 'job-1' } })).json()) as { runId: string };
    expect(dup.runId).toBe(jobs[0]!.runId);
    await expect.poll(async () => ((await (await api.call('GET', `/v1/queues/${key}`)).json()) as { counts: { succeeded: number } }).counts.succeeded, { timeout: 20_000 }).toBe(3);
    expect(await env.client.workflow.getHandle(jobs[2]!.runId).result()).toEqual({ echo: { n: 3 } });
    const status = (await (await api.call('GET', `/v1/queues/${key}`)).json()) as { counts: Record<string, number>; recent: Array<{ jobId: string }> };
    expect(status.counts).toMatchObject({ accepted: 3, succeeded: 3, duplicates: 1 });
    expect(status.recent.map((r) => r.jobId)).toEqual(['job-1', 'job-2', 'job-3']);
  });

  it('answers 404 for a queue that does not exist, and 400 for a bad key', async () => {
    const api = await apiFor(env, { echo });
    expect((await api.call('GET', `/v1/queues/${uniqueId('none')}`)).status).toBe(404);
    expect((await api.call('POST', '/v1/queues/bad key!/jobs', { json: { dag: 'api-echo' } })).status).toBe(400);
  });
});

describe('/v1/runs/:id/nodes/:node/resolve', () => {
  it('retries a node that failed with onError: ask, and refuses a node that is not waiting (409)', async () => {
    let fixed = false;
    const api = await apiFor(env, {
      flaky: async () => {
        if (!fixed) throw new Error('down');
        return 'up';
      },
    });
    const id = uniqueId('ask');
    await api.call('POST', '/v1/runs', { json: { id, dag: { name: 'ask-api', nodes: [{ id: 'call', activity: 'flaky', onError: 'ask', retry: { maximumAttempts: 1 } }] } } });
    await expect
      .poll(async () => ((await (await api.call('GET', `/v1/runs/${id}`)).json()) as { status?: { nodes: Array<{ reason?: string }> } }).status?.nodes[0]?.reason ?? '', { timeout: 20_000 })
      .toMatch(/^failed; awaiting a decision/);
    expect((await api.call('POST', `/v1/runs/${id}/nodes/other/resolve`, { json: { action: 'retry' } })).status).toBe(409);
    fixed = true;
    const res = await api.call('POST', `/v1/runs/${id}/nodes/call/resolve`, { json: { action: 'retry', by: 'ops' } });
    expect(res.status).toBe(200);
    expect(await env.client.workflow.getHandle(id).result()).toEqual({ call: 'up' });
  });
});

describe('POST /v1/runs with a named DAG whose file is invalid', () => {
  it('answers 422 dag_invalid with the problems of the file, not 404', async () => {
    const api = await apiFor(env, { echo }, { dags: { 'broken.yaml': { name: 'broken', nodes: [{ id: 'a', activity: 'echo', after: ['ghost'] }] } } });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 'broken' } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; issues: Array<{ path: string; code: string }> } };
    expect(body.error.code).toBe('dag_invalid');
    expect(body.error.issues).toEqual([expect.objectContaining({ path: 'nodes[0].after[0]', code: 'missing_dependency' })]);
  });
});
