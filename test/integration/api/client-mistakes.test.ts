/**
 * Issue 8.5: a caller's mistake is a 4xx in the API's one error shape, never a
 * 5xx and never Fastify's own shape; auth comes before anything else; and what
 * Temporal says (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE) is classified once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../../../src/api/app';
import { WeftClient } from '../../../src/client/weft-client';
import { freePort } from '../../../src/temporal/dev-server';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, caller, Gates, TOKEN } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface ErrorBody {
  error: { code: string; kind: string; message: string; retryable: boolean; issues?: Array<{ path: string; message: string }>; mayExist?: boolean; id?: string };
}

/** Every error answer is JSON with these fields, whatever produced it (a route, the router, the body parser). */
async function errorOf(res: Response): Promise<ErrorBody['error']> {
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual(expect.objectContaining({ code: expect.any(String), kind: expect.any(String), message: expect.any(String), retryable: expect.any(Boolean) }));
  return body.error;
}

const one = { name: 'one', nodes: [{ id: 'a', activity: 'wait' }] };

describe('run ids in the URL and the query', () => {
  it('answers 400 naming runId for GET /v1/runs/0?runId=0, not 500', async () => {
    const api = await apiFor(env, {});
    const res = await api.call('GET', '/v1/runs/0?runId=0');
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'invalid_request', kind: 'invalid', retryable: false });
    expect(error.issues).toEqual([expect.objectContaining({ path: 'runId' })]);
  });

  it('answers 404 for a well-formed runId that is not an execution of the run', async () => {
    const api = await apiFor(env, {});
    const res = await api.call('GET', `/v1/runs/${uniqueId('nobody')}?runId=${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'run_not_found', kind: 'not_found' });
  });

  it('serves GET, events and cancel for a 200-character run id that start accepted', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { wait: gates.activity });
    const id = `long-${'x'.repeat(195)}`;
    // Remote: the gate is never released, and only a remote activity ends when its run is cancelled (local ones are
    // never cancelled by the interpreter; docs/dag-format.md), so the worker could not shut down after the test.
    const started = await api.call('POST', '/v1/runs', { json: { dag: { ...one, nodes: [{ id: 'a', activity: 'wait', input: { node: 'a' }, mode: 'remote' }] } }, headers: { 'Idempotency-Key': id } });
    expect(started.status).toBe(202);
    expect((await api.call('GET', `/v1/runs/${id}`)).status).toBe(200);
    const events = await api.call('GET', `/v1/runs/${id}/events`);
    expect(events.status).toBe(200);
    await events.body?.cancel();
    expect((await api.call('POST', `/v1/runs/${id}/cancel`)).status).toBe(202);
  });

  it('checks the token before the length of a path segment: 401 without one, then 414 in the API shape', async () => {
    const api = await apiFor(env, {});
    const huge = 'x'.repeat(5000);
    const anonymous = await api.call('GET', `/v1/runs/${huge}`, { token: null });
    expect(anonymous.status).toBe(401);
    expect(await errorOf(anonymous)).toMatchObject({ code: 'unauthorized' });
    const res = await api.call('GET', `/v1/runs/${huge}`);
    expect(res.status).toBe(414);
    expect(await errorOf(res)).toMatchObject({ code: 'uri_too_long', kind: 'invalid' });
  });

  it('answers 400 naming the id for an id longer than start accepts but short enough to route', async () => {
    const api = await apiFor(env, {});
    const res = await api.call('GET', `/v1/runs/${'x'.repeat(201)}`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).issues).toEqual([expect.objectContaining({ path: 'id', message: 'a run id is at most 200 characters' })]);
  });
});

describe('media types and methods', () => {
  it('answers 415 for a text/plain body, as documented, and 401 before that without a token', async () => {
    const api = await apiFor(env, {});
    const body = JSON.stringify({ dag: one });
    expect((await api.call('POST', '/v1/runs', { body, headers: { 'content-type': 'text/plain' }, token: null })).status).toBe(401);
    const res = await api.call('POST', '/v1/runs', { body, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(await errorOf(res)).toMatchObject({ code: 'unsupported_media_type', kind: 'invalid' });
  });

  it('answers 405 with an Allow header for a method a path is not served with', async () => {
    const api = await apiFor(env, {});
    const res = await api.call('DELETE', '/v1/runs');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(await errorOf(res)).toMatchObject({ code: 'method_not_allowed', kind: 'invalid' });
    const put = await api.call('PUT', `/v1/runs/${uniqueId('r')}`, { json: { dag: 'x' } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 405 before reading the body, and 401 before that without a token', async () => {
    const api = await apiFor(env, {});
    expect((await api.call('PATCH', '/v1/runs', { body: '{not json', headers: { 'content-type': 'application/json' }, token: null })).status).toBe(401);
    expect((await api.call('PATCH', '/v1/runs', { body: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(405);
  });

  it('still answers 404 for a path no route serves', async () => {
    const api = await apiFor(env, {});
    const res = await api.call('POST', '/v1/nothing');
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'not_found', kind: 'not_found' });
  });
});

describe("Temporal's failures, classified once", () => {
  it('answers 503 timed_out, retryable with Retry-After, when Temporal misses the deadline (DEADLINE_EXCEEDED)', async () => {
    const weft = new WeftClient(env.client, { taskQueue: uniqueId('tq') });
    const app = buildApi({ weft, auth: { tokens: [TOKEN] }, temporalTimeoutMs: 0 });
    onTestFinished(() => app.close());
    const call = caller(await app.listen({ port: 0, host: '127.0.0.1' }));
    const res = await call('GET', `/v1/runs/${uniqueId('late')}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await errorOf(res)).toMatchObject({ code: 'temporal_unavailable', kind: 'timed_out', retryable: true });
  });

  it('answers 503 unavailable when Temporal cannot be reached (UNAVAILABLE), and a start says the run may exist', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    const app = buildApi({ weft: new WeftClient(new Client({ connection })), auth: { tokens: [TOKEN] }, temporalTimeoutMs: 2000, startTimeoutMs: 2000 });
    onTestFinished(async () => {
      await app.close();
      await connection.close();
    });
    const call = caller(await app.listen({ port: 0, host: '127.0.0.1' }));
    const read = await call('GET', `/v1/runs/${uniqueId('away')}`);
    expect(read.status).toBe(503);
    expect((await errorOf(read)).retryable).toBe(true);
    const id = uniqueId('maybe');
    const start = await call('POST', '/v1/runs', { json: { dag: one }, headers: { 'Idempotency-Key': id } });
    expect(start.status).toBe(503);
    expect(await errorOf(start)).toMatchObject({ code: 'temporal_unavailable', retryable: true, mayExist: true, id });
  });
});
