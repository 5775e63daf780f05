/** /healthz, /readyz, /metrics, /openapi.json, and what the API answers when Temporal is down. */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../../../src/api/app';
import { WeftClient } from '../../../src/client/weft-client';
import { freePort } from '../../../src/temporal/dev-server';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, caller, TOKEN } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const echo = async (x: unknown) => x;

/** The API over a WeftClient whose Temporal address has nothing listening. */
async function apiWithTemporalDown() {
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const weft = new WeftClient(new Client({ connection }));
  const app = buildApi({ weft, auth: { tokens: [TOKEN] }, temporalTimeoutMs: 1000 });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(async () => {
    await app.close();
    await connection.close();
  });
  return { app, call: caller(url) };
}

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 while the process is up', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/healthz', { token: null });
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when Temporal answers', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/readyz', { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 when Temporal is unreachable, while /healthz still answers 200', async () => {
    const api = await apiWithTemporalDown();
    const ready = await api.call('GET', '/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ error: { code: 'not_ready', kind: 'unavailable', message: 'not ready: Temporal does not answer', retryable: true } });
    expect(ready.headers.get('retry-after')).toBe('2');
    expect((await api.call('GET', '/healthz', { token: null })).status).toBe(200);
  });

  it('uses a readiness check given to buildApi', async () => {
    const api = await apiFor(env, { echo }, { ready: async () => false });
    expect((await api.call('GET', '/readyz', { token: null })).status).toBe(503);
  });
});

describe('Temporal unavailable', () => {
  it('answers 503 temporal_unavailable on a route that needs Temporal', async () => {
    const api = await apiWithTemporalDown();
    const res = await api.call('GET', `/v1/runs/${uniqueId('any')}`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
  });

  it('answers 503 to a start, after validating the definition', async () => {
    const api = await apiWithTemporalDown();
    const res = await api.call('POST', '/v1/runs', { json: { dag: { name: 'x', nodes: [{ id: 'a', activity: 'echo' }] } } });
    expect(res.status).toBe(503);
  });
});

describe('/metrics', () => {
  it('counts requests by method, route pattern and status, and reports weft_api_up', async () => {
    const api = await apiFor(env, { echo });
    await api.call('GET', '/healthz');
    await api.call('GET', `/v1/runs/${uniqueId('missing')}`);
    await api.call('GET', '/v1/runs', { token: null });
    const res = await api.call('GET', '/metrics', { token: null });
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^weft_api_up 1$/m);
    expect(text).toContain('weft_api_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(text).toContain('weft_api_requests_total{method="GET",route="/v1/runs/:id",status="404"} 1');
    expect(text).toContain('weft_api_requests_total{method="GET",route="/v1/runs",status="401"} 1');
    expect(text).toMatch(/^weft_api_request_duration_seconds_count\{method="GET",route="\/v1\/runs\/:id"\} 1$/m);
    // prom-client writes `le` first; label order carries no meaning in the exposition format.
    expect(text).toMatch(/^weft_api_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/healthz"\} 1$/m);
  });
});

describe('/openapi.json', () => {
  const ROUTES = [
    'post /v1/runs',
    'get /v1/runs',
    'get /v1/runs/{id}',
    'post /v1/runs/{id}/cancel',
    'post /v1/runs/{id}/retry',
    'post /v1/runs/{id}/nodes/{node}/approve',
    'post /v1/runs/{id}/nodes/{node}/reject',
    'get /v1/runs/{id}/events',
    'get /v1/dags',
    'get /v1/dags/{name}',
    'get /healthz',
    'get /readyz',
    'get /metrics',
    'get /openapi.json',
    'post /v1/runs/{id}/nodes/{node}/resolve',
    'post /v1/queues/{key}/jobs',
    'get /v1/queues/{key}',
    'get /v1/task-queues/{name}/backlog',
    'get /v1/schedules',
    'post /v1/schedules',
    'get /v1/schedules/{id}',
    'post /v1/schedules/apply',
    'post /v1/schedules/{id}/pause',
    'post /v1/schedules/{id}/unpause',
    'post /v1/schedules/{id}/trigger',
    'post /v1/schedules/{id}/backfill',
    'delete /v1/schedules/{id}',
    // The job queue (src/api/routes/jobs.ts).
    'post /v1/jobs',
    'get /v1/jobs/{queue}/{key}',
    'post /v1/jobs/{queue}/{key}/retry',
    // The console's own routes (src/api/console.ts).
    'get /v1/console/session',
    'post /v1/console/session',
    'delete /v1/console/session',
    'get /v1/console/runs',
    'get /v1/console/runs/counts',
    'get /v1/console/runs/{id}/dag',
    'get /v1/console/runs/{id}/nodes/{node}',
    'get /v1/console/dags/{name}/plan',
    'get /v1/console/dags/{name}/plan/layers/{layer}',
    'get /v1/console/queues',
  ];

  interface Doc {
    openapi: string;
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, unknown> };
  }

  async function openapi(): Promise<{ doc: Doc; app: Awaited<ReturnType<typeof apiFor>>['app'] }> {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/openapi.json', { token: null });
    return { doc: (await res.json()) as Doc, app: api.app };
  }

  it('lists every route, and every route it lists exists', async () => {
    const { doc, app } = await openapi();
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(listed.sort()).toEqual([...ROUTES].sort());
    for (const route of listed) {
      const [method, path] = route.split(' ') as [string, string];
      expect([route, app.hasRoute({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') })]).toEqual([route, true]);
    }
  });

  it('describes request bodies, parameters and responses with schemas, and every $ref resolves', async () => {
    const { doc } = await openapi();
    expect(doc.openapi).toBe('3.1.0');
    const start = doc.paths['/v1/runs']!.post!;
    expect(start.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/StartRunRequest' } } } });
    expect(start.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]);
    expect(Object.keys(start.responses).sort()).toEqual(['202', '400', '401', '404', '413', '415', '422', '500', '503']);
    expect((start.responses['503'] as { headers?: unknown }).headers).toHaveProperty('Retry-After');
    expect(doc.paths['/v1/runs']!.get!.parameters.map((p) => p.name)).toEqual(['dag', 'status', 'since', 'until', 'limit']);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect([ref, ref in doc.components.schemas]).toEqual([ref, true]);
  });

  it('marks the operations routes as needing no token, and the others as needing one', async () => {
    const { doc } = await openapi();
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
    expect(doc.paths['/v1/runs/{id}']!.get!.security).toBeUndefined();
    expect(doc.paths['/v1/runs/{id}']!.get!.responses['401']).toBeDefined();
  });
});
