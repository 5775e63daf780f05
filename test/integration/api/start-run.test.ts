/** POST /v1/runs: named and inline DAGs, idempotency keys, delays, and every way a start can be refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, eventually } from './harness';

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

describe('POST /v1/runs', () => {
  it('starts a named DAG from the DAGs folder, answers 202 with the id and a Location, and the run completes', async () => {
    const name = uniqueId('named');
    const api = await apiFor(env, { echo }, { dags: { 'one.yaml': { name, nodes: [{ id: 'a', activity: 'echo', input: '{{ input }}' }] } } });
    const res = await api.call('POST', '/v1/runs', { json: { dag: name, input: { n: 1 } } });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; runId: string; existing: boolean };
    expect(body).toMatchObject({ existing: false });
    expect(body.id).toMatch(new RegExp(`^${name}-`));
    expect(res.headers.get('location')).toBe(`/v1/runs/${body.id}`);
    expect(await env.client.workflow.getHandle(body.id).result()).toEqual({ a: { n: 1 } });
  });

  it('starts an inline definition', async () => {
    const api = await apiFor(env, { echo });
    const id = uniqueId('inline');
    const res = await api.call('POST', '/v1/runs', { json: { id, dag: { name: 'inline', nodes: [{ id: 'x', activity: 'echo', input: 7 }] } } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id, existing: false });
    expect(await env.client.workflow.getHandle(id).result()).toEqual({ x: 7 });
  });

  it('returns the same run for the same Idempotency-Key, with existing: true the second time', async () => {
    const api = await apiFor(env, { echo });
    const key = uniqueId('key');
    const send = () => api.call('POST', '/v1/runs', { json: { dag: { name: 'once', nodes: [{ id: 'a', activity: 'echo' }] } }, headers: { 'Idempotency-Key': key } });
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as Array<{ id: string; runId: string; existing: boolean }>;
    expect(a).toMatchObject({ id: key, existing: false });
    expect(b).toEqual({ id: key, runId: a!.runId, existing: true });
  });

  it('lets the Idempotency-Key header win over the id in the body', async () => {
    const api = await apiFor(env, { echo });
    const key = uniqueId('header');
    const res = await api.call('POST', '/v1/runs', {
      json: { id: uniqueId('body'), dag: { name: 'both', nodes: [{ id: 'a', activity: 'echo' }] } },
      headers: { 'Idempotency-Key': key },
    });
    expect(await res.json()).toMatchObject({ id: key });
  });

  it('refuses an Idempotency-Key that cannot be a run id with 400 naming the header', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 'x' }, headers: { 'Idempotency-Key': 'k'.repeat(201) } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'Idempotency-Key', message: 'a run id is at most 200 characters' })]);
  });

  it('passes a start delay on to Temporal', async () => {
    const api = await apiFor(env, { echo });
    const id = uniqueId('delayed');
    const res = await api.call('POST', '/v1/runs', { json: { id, delay: '1h', dag: { name: 'later', nodes: [{ id: 'a', activity: 'echo' }] } } });
    expect(res.status).toBe(202);
    const desc = await env.client.workflow.getHandle(id).describe();
    expect(desc.executionTime!.getTime() - desc.startTime.getTime()).toBeGreaterThanOrEqual(3_600_000 - 1000);
    await env.client.workflow.getHandle(id).terminate('test done');
  });

  it('refuses JSON that does not parse with 400, naming the line and column', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { body: '{\n  "dag": "x",\n}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.issues).toEqual([{ path: '(body)', code: 'invalid_json', message: expect.stringContaining('line 3, column 1') as string }]);
  });

  it('refuses fields of the wrong type with 400 and the path of each', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 5, priority: 'high', delay: 'soon', extra: true } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.issues!.map((i) => i.path).sort()).toEqual(['dag', 'delay', 'extra', 'priority']);
    expect(body.error.issues!.find((i) => i.path === 'extra')).toMatchObject({ code: 'unknown_field' });
    expect(body.error.issues!.find((i) => i.path === 'delay')!.message).toContain('expected a duration');
  });

  it('refuses a body that is missing with 400', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: '(body)' })]);
  });

  it('refuses both delay and at with 400 at "at"', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 'x', delay: '1m', at: '2030-01-01T00:00:00Z' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'at', message: 'give either delay or at, not both' })]);
  });

  it('refuses an invalid inline DAG with 400 listing every problem under dag', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', {
      json: {
        dag: {
          name: 'Bad Name',
          nodes: [
            { id: 'a', activity: 'echo', after: ['missing'] },
            { id: 'a', activity: 'echo', retries: 3 },
          ],
        },
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_dag');
    expect(body.error.issues!.map((i) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ['dag.name', 'schema'],
        ['dag.nodes[1].retries', 'unknown_field'],
      ]),
    );
    expect(body.error.issues!.length).toBeGreaterThanOrEqual(2);
  });

  it('reports the cross-field problems of an inline DAG (missing dependency, duplicate id) with their paths', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', {
      json: { dag: { name: 'bad', nodes: [{ id: 'a', activity: 'echo', after: ['missing'] }, { id: 'a', activity: 'echo' }] } },
    });
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as ErrorBody).error.issues!;
    expect(issues.map((i) => i.code)).toEqual(expect.arrayContaining(['missing_dependency', 'duplicate_id']));
    expect(issues.find((i) => i.code === 'missing_dependency')!.path).toBe('dag.nodes[0].after[0]');
  });

  it('refuses a compiled DAG in place of a definition, so nothing skips validation', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { json: { dag: { formatVersion: 1, name: 'x', hash: 'h', nodes: [] } } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.issues).toEqual([expect.objectContaining({ path: 'dag.formatVersion' })]);
  });

  it("refuses input that fails the DAG's input schema with 400 and the path of each problem", async () => {
    const name = uniqueId('typed');
    const api = await apiFor(env, { echo }, {
      dags: {
        'typed.yaml': {
          name,
          input: { type: 'object', required: ['uploadId'], properties: { uploadId: { type: 'string' }, count: { type: 'integer' } } },
          nodes: [{ id: 'a', activity: 'echo' }],
        },
      },
    });
    const res = await api.call('POST', '/v1/runs', { json: { dag: name, input: { count: 'many' } } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues!.map((i) => i.path).sort()).toEqual(['input.count', 'input.uploadId']);
  });

  it('answers 404 for a DAG name that is not in the DAGs folder', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 'no-such-dag' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'dag_not_found', message: expect.stringContaining('no-such-dag') as string });
  });

  it('answers 413 for a body over the limit', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 'x', input: { blob: 'x'.repeat(1024 * 1024) } } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe('payload_too_large');
  });

  it('answers 413 at a configured lower limit', async () => {
    const api = await apiFor(env, { echo }, { bodyLimitBytes: 100 });
    const res = await api.call('POST', '/v1/runs', { json: { dag: 'x', input: 'y'.repeat(200) } });
    expect(res.status).toBe(413);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('POST', '/v1/runs', { body: 'dag: x', headers: { 'content-type': 'text/yaml' } });
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorBody).error.code).toBe('unsupported_media_type');
  });

  it('shows the started run in GET /v1/runs/:id', async () => {
    const api = await apiFor(env, { echo });
    const id = uniqueId('seen');
    await api.call('POST', '/v1/runs', { json: { id, dag: { name: 'seen', nodes: [{ id: 'a', activity: 'echo' }] } } });
    const view = await eventually(async () => {
      const v = (await (await api.call('GET', `/v1/runs/${id}`)).json()) as { execution: string };
      return v.execution === 'COMPLETED' && v;
    }, 'the run to complete');
    expect(view).toMatchObject({ id, dag: 'seen', execution: 'COMPLETED' });
  });
});
