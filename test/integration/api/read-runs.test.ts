/** GET /v1/runs/:id and GET /v1/runs: a run's view, and listing with validated filters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, eventually, type Api } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const echo = async (x: unknown) => x;

interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string; code?: string }> };
}

async function finishedRun(api: Api, dag: unknown, id = uniqueId('run')): Promise<string> {
  const res = await api.call('POST', '/v1/runs', { json: { id, dag } });
  expect(res.status).toBe(202);
  await env.client.workflow.getHandle(id).result();
  return id;
}

describe('GET /v1/runs/:id', () => {
  it("returns the run's view: execution, result, and every node's state", async () => {
    const api = await apiFor(env, { echo });
    const id = await finishedRun(api, { name: 'view', nodes: [{ id: 'a', activity: 'echo', input: 1 }, { id: 'b', activity: 'echo', after: ['a'], input: 2 }] });
    const res = await api.call('GET', `/v1/runs/${id}`);
    expect(res.status).toBe(200);
    const view = (await res.json()) as { status: { nodes: Array<{ id: string; state: string; output?: unknown }> } };
    expect(view).toMatchObject({ id, dag: 'view', execution: 'COMPLETED', taskQueue: api.worker.taskQueue, result: { b: 2 } });
    expect(view.status.nodes.map((n) => [n.id, n.state])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
    ]);
    expect(view.status.nodes[0]).not.toHaveProperty('output');
  });

  it('includes node outputs with ?outputs=true', async () => {
    const api = await apiFor(env, { echo });
    const id = await finishedRun(api, { name: 'outputs', nodes: [{ id: 'a', activity: 'echo', input: { x: 1 } }] });
    const view = (await (await api.call('GET', `/v1/runs/${id}?outputs=true`)).json()) as { status: { nodes: Array<{ output?: unknown }> } };
    expect(view.status.nodes[0]!.output).toEqual({ x: 1 });
  });

  it('answers 404 for an unknown run', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', `/v1/runs/${uniqueId('nobody')}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('run_not_found');
  });

  it('refuses an unknown query parameter with 400 naming it', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', `/v1/runs/x?output=true`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'output', code: 'unknown_field' })]);
  });
});

describe('GET /v1/runs', () => {
  it('lists the runs of a DAG, newest first', async () => {
    const api = await apiFor(env, { echo });
    const dag = { name: uniqueId('listed'), nodes: [{ id: 'a', activity: 'echo' }] };
    const first = await finishedRun(api, dag);
    const second = await finishedRun(api, dag);
    const runs = await eventually(async () => {
      const body = (await (await api.call('GET', `/v1/runs?dag=${dag.name}`)).json()) as { runs: Array<{ id: string; dag: string; execution: string }> };
      return body.runs.length === 2 && body.runs;
    }, 'both runs to be visible');
    expect(runs.map((r) => r.id)).toEqual([second, first]);
    expect(runs[0]).toMatchObject({ dag: dag.name, execution: 'COMPLETED' });
  });

  it('filters by status, accepting lower case', async () => {
    const api = await apiFor(env, { echo, boom: async () => Promise.reject(new Error('boom')) });
    const name = uniqueId('mixed');
    await finishedRun(api, { name, nodes: [{ id: 'a', activity: 'echo' }] });
    const failed = uniqueId('failed');
    await api.call('POST', '/v1/runs', { json: { id: failed, dag: { name, nodes: [{ id: 'a', activity: 'boom', retry: { maximumAttempts: 1 } }] } } });
    await expect(env.client.workflow.getHandle(failed).result()).rejects.toThrow();
    const runs = await eventually(async () => {
      const body = (await (await api.call('GET', `/v1/runs?dag=${name}&status=failed`)).json()) as { runs: Array<{ id: string }> };
      return body.runs.length > 0 && body.runs;
    }, 'the failed run to be visible');
    expect(runs.map((r) => r.id)).toEqual([failed]);
  });

  it('honours limit', async () => {
    const api = await apiFor(env, { echo });
    const dag = { name: uniqueId('limited'), nodes: [{ id: 'a', activity: 'echo' }] };
    await finishedRun(api, dag);
    await finishedRun(api, dag);
    await eventually(async () => ((await (await api.call('GET', `/v1/runs?dag=${dag.name}`)).json()) as { runs: unknown[] }).runs.length === 2, 'both runs');
    const body = (await (await api.call('GET', `/v1/runs?dag=${dag.name}&limit=1`)).json()) as { runs: unknown[] };
    expect(body.runs).toHaveLength(1);
  });

  it('refuses a status it does not know with 400 naming the parameter', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/runs?status=sleeping');
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as ErrorBody).error.issues!;
    expect(issues).toEqual([expect.objectContaining({ path: 'status', message: expect.stringContaining('running, completed, failed') as string })]);
  });

  it('refuses dates that are not ISO 8601 with 400 naming each parameter', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/runs?since=yesterday&until=2026-13-45');
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as ErrorBody).error.issues!;
    expect(issues.map((i) => i.path).sort()).toEqual(['since', 'until']);
  });

  it('refuses until before since, and a limit out of range', async () => {
    const api = await apiFor(env, { echo });
    const order = await api.call('GET', '/v1/runs?since=2026-02-01&until=2026-01-01');
    expect(((await order.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'until' })]);
    const limit = await api.call('GET', '/v1/runs?limit=0');
    expect(limit.status).toBe(400);
    expect(((await limit.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'limit' })]);
  });

  it('accepts since and until as dates or times', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/runs?since=2020-01-01&until=2999-01-01T00:00:00Z&limit=5');
    expect(res.status).toBe(200);
  });
});
