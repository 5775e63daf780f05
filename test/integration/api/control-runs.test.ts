/** Cancel, retry, approve and reject through the API, including the 404s and 409s. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, eventually, Gates, type Api } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const echo = async (x: unknown) => x;

interface ErrorBody {
  error: { code: string; message: string };
}

async function start(api: Api, dag: unknown, id = uniqueId('run')): Promise<string> {
  const res = await api.call('POST', '/v1/runs', { json: { id, dag } });
  expect(res.status).toBe(202);
  return id;
}

async function nodeState(api: Api, id: string, node: string): Promise<string | undefined> {
  const view = (await (await api.call('GET', `/v1/runs/${id}`)).json()) as { status?: { nodes: Array<{ id: string; state: string }> } };
  return view.status?.nodes.find((n) => n.id === node)?.state;
}

const approvalDag = {
  name: 'approval',
  nodes: [
    { id: 'review', type: 'approval', timeout: '1h' },
    { id: 'ship', activity: 'echo', after: ['review'], input: '{{ nodes.review.output }}' },
  ],
};

describe('POST /v1/runs/:id/cancel', () => {
  it('cancels a running run: 202, and the run ends cancelled', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, { name: 'cancel-me', nodes: [{ id: 'slow', activity: 'gate', input: { node: 'slow' }, timeout: { startToClose: '1m', heartbeat: '1s' } }] });
    await eventually(async () => (await nodeState(api, id, 'slow')) === 'running', 'the node to run');
    const res = await api.call('POST', `/v1/runs/${id}/cancel`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id, cancelRequested: true });
    const view = await eventually(async () => {
      const v = (await (await api.call('GET', `/v1/runs/${id}`)).json()) as { execution: string };
      return v.execution !== 'RUNNING' && v;
    }, 'the run to close');
    expect(view.execution).toBe('CANCELLED');
  });

  it('answers 409 for a run that is not running', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, { name: 'done', nodes: [{ id: 'a', activity: 'echo' }] });
    await env.client.workflow.getHandle(id).result();
    const res = await api.call('POST', `/v1/runs/${id}/cancel`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'run_state_conflict', message: expect.stringContaining('not running') as string });
  });

  it('answers 404 for an unknown run', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', `/v1/runs/${uniqueId('nobody')}/cancel`);
    expect(res.status).toBe(404);
  });
});

describe('POST /v1/runs/:id/retry', () => {
  it('re-runs a failed run from the failed node: 202 with the reused nodes, and the run completes', async () => {
    let broken = true;
    const api = await apiFor(env, {
      echo,
      flaky: async () => {
        if (broken) throw ApplicationFailure.nonRetryable('down', 'Down');
        return 'ok';
      },
    });
    const id = await start(api, { name: 'retry-me', nodes: [{ id: 'first', activity: 'echo', input: 1 }, { id: 'second', activity: 'flaky', after: ['first'] }] });
    await expect(env.client.workflow.getHandle(id).result()).rejects.toThrow();
    broken = false;
    const res = await api.call('POST', `/v1/runs/${id}/retry`, { json: { fromFailed: true } });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; runId: string; reused: string[] };
    expect(body).toMatchObject({ id, reused: ['first'] });
    expect(res.headers.get('location')).toBe(`/v1/runs/${id}`);
    expect(await env.client.workflow.getHandle(id, body.runId).result()).toEqual({ second: 'ok' });
  });

  it('re-runs every node without a body', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, { name: 'again', nodes: [{ id: 'a', activity: 'echo' }] });
    await env.client.workflow.getHandle(id).result();
    const res = await api.call('POST', `/v1/runs/${id}/retry`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id, reused: [] });
  });

  it('answers 409 while the run is still running', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, { name: 'busy', nodes: [{ id: 'slow', activity: 'gate', input: { node: 'slow' } }] });
    const res = await api.call('POST', `/v1/runs/${id}/retry`, { json: {} });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toContain('still running');
    gates.release('slow');
  });

  it('refuses a fromFailed that is not a boolean with 400', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', `/v1/runs/x/retry`, { json: { fromFailed: 'yes' } });
    expect(res.status).toBe(400);
  });
});

describe('POST /v1/runs/:id/nodes/:node/approve|reject', () => {
  it('approves a waiting approval node: 200 with the decision, and the run goes on', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, approvalDag);
    await eventually(async () => (await nodeState(api, id, 'review')) === 'waiting', 'the approval to wait');
    const res = await api.call('POST', `/v1/runs/${id}/nodes/review/approve`, { json: { by: 'ana', reason: 'looks good' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ node: 'review', decision: 'approve', at: expect.any(String) as string });
    expect(await env.client.workflow.getHandle(id).result()).toEqual({ ship: expect.objectContaining({ approved: true, by: 'ana', reason: 'looks good' }) as unknown });
  });

  it('rejects a waiting approval node: 200, and the run fails', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, approvalDag);
    await eventually(async () => (await nodeState(api, id, 'review')) === 'waiting', 'the approval to wait');
    const res = await api.call('POST', `/v1/runs/${id}/nodes/review/reject`, { json: { reason: 'no' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ node: 'review', decision: 'reject' });
    await expect(env.client.workflow.getHandle(id).result()).rejects.toThrow();
  });

  it('answers 409 with the reason when the node is not an approval', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, approvalDag);
    await eventually(async () => (await nodeState(api, id, 'review')) === 'waiting', 'the approval to wait');
    const res = await api.call('POST', `/v1/runs/${id}/nodes/ship/approve`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error).toEqual({ code: 'decision_refused', kind: 'refused', message: 'node "ship" is not an approval node', retryable: false });
    await api.call('POST', `/v1/runs/${id}/cancel`);
  });

  it('answers 409 when the node already has a decision', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, {
      name: 'decided',
      nodes: [
        { id: 'review', type: 'approval', timeout: '1h' },
        // Remote: while a local activity runs, its workflow task stays open and updates wait for it (docs/dag-format.md).
        { id: 'ship', activity: 'gate', after: ['review'], input: { node: 'ship' }, mode: 'remote' },
      ],
    });
    await eventually(async () => (await nodeState(api, id, 'review')) === 'waiting', 'the approval to wait');
    expect((await api.call('POST', `/v1/runs/${id}/nodes/review/approve`)).status).toBe(200);
    const again = await api.call('POST', `/v1/runs/${id}/nodes/review/reject`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error).toEqual({ code: 'decision_refused', kind: 'refused', message: 'node "review" is not waiting for approval (it is succeeded)', retryable: false });
    gates.release('ship');
  });

  it('answers 409 when the run has closed', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, approvalDag);
    await eventually(async () => (await nodeState(api, id, 'review')) === 'waiting', 'the approval to wait');
    await api.call('POST', `/v1/runs/${id}/nodes/review/approve`);
    await env.client.workflow.getHandle(id).result();
    const res = await api.call('POST', `/v1/runs/${id}/nodes/review/approve`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'run_state_conflict', message: expect.stringContaining('not running') as string });
  });

  it('answers 404 for an unknown run', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', `/v1/runs/${uniqueId('nobody')}/nodes/review/approve`);
    expect(res.status).toBe(404);
  });

  it('refuses a node id that cannot be one with 400', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', `/v1/runs/x/nodes/9bad/approve`, { json: { by: 5 } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { issues: Array<{ path: string }> } };
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['by', 'node']);
  });
});
