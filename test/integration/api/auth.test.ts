/** Bearer-token auth on every route but the operations routes, and what the API does without a token configured. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../../../src/api/app';
import { ApiAuthConfigError } from '../../../src/api/auth';
import { WeftClient } from '../../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const echo = async (x: unknown) => x;

describe('auth', () => {
  it('answers 401 with a WWW-Authenticate challenge when the token is missing', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/runs', { token: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="weft"');
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', kind: 'refused', message: 'send Authorization: Bearer <token>', retryable: false } });
  });

  it('answers 401 for a wrong token', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/runs', { token: 'not-the-token-0123456789' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('the bearer token is not valid');
  });

  it('answers 401 for a scheme other than Bearer', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/runs', { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
  });

  it('checks the token before reading the body, so a start without one starts nothing', async () => {
    const api = await apiFor(env, { echo });
    const id = uniqueId('unauth');
    const res = await api.call('POST', '/v1/runs', { token: null, json: { id, dag: { name: 'x', nodes: [{ id: 'a', activity: 'echo' }] } } });
    expect(res.status).toBe(401);
    expect((await api.call('GET', `/v1/runs/${id}`)).status).toBe(404);
  });

  it('accepts any of several configured tokens', async () => {
    const api = await apiFor(env, { echo }, { auth: { tokens: ['first-token-0123456789', 'second-token-0123456789'] } });
    expect((await api.call('GET', '/v1/dags', { token: 'second-token-0123456789' })).status).toBe(200);
  });

  it('serves /healthz, /readyz, /metrics and /openapi.json without a token', async () => {
    const api = await apiFor(env, { echo });
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect([path, (await api.call('GET', path, { token: null })).status]).toEqual([path, 200]);
    }
  });

  it('asks for a token for unknown routes too, and answers 404 JSON with one', async () => {
    const api = await apiFor(env, { echo });
    expect((await api.call('GET', '/v1/nothing-here', { token: null })).status).toBe(401);
    const res = await api.call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', kind: 'not_found', message: 'no route GET /v1/nothing-here', retryable: false } });
  });

  it('serves every route without a token when auth is off', async () => {
    const api = await apiFor(env, { echo }, { auth: { insecureNoAuth: true } });
    expect((await api.call('GET', '/v1/dags', { token: null })).status).toBe(200);
  });

  it('refuses to build without a token unless auth is explicitly off, saying how to set WEFT_API_TOKEN', () => {
    const weft = new WeftClient(env.client);
    expect(() => buildApi({ weft, auth: { tokens: [] } })).toThrow(ApiAuthConfigError);
    expect(() => buildApi({ weft, auth: { tokens: [] } })).toThrow(/WEFT_API_TOKEN/);
  });
});
