/** GET /v1/dags and /v1/dags/:name: the DAGs folder as the API shows it. */
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

const echo = async (x: unknown) => x;

function folder(good: string, bad: string): Record<string, unknown> {
  return {
    'good.yaml': { name: good, description: 'Two steps', nodes: [{ id: 'a', activity: 'echo' }, { id: 'b', activity: 'echo', after: ['a'] }] },
    'bad.yaml': { name: bad, nodes: [{ id: 'a', activity: 'echo', after: ['nope'] }] },
  };
}

describe('GET /v1/dags', () => {
  it('lists every definition with its name, description, node count, validity and problems', async () => {
    const [good, bad] = [uniqueId('good'), uniqueId('bad')];
    const api = await apiFor(env, { echo }, { dags: folder(good, bad) });
    const res = await api.call('GET', '/v1/dags');
    expect(res.status).toBe(200);
    const { dags } = (await res.json()) as { dags: Array<Record<string, unknown>> };
    expect(dags).toEqual([
      { name: bad, file: 'bad.yaml', nodes: 1, ok: false, issues: [expect.objectContaining({ path: 'nodes[0].after[0]', code: 'missing_dependency' })] },
      { name: good, description: 'Two steps', file: 'good.yaml', nodes: 2, ok: true, issues: [] },
    ]);
  });
});

describe('GET /v1/dags/:name', () => {
  it('returns the compiled DAG and its Mermaid graph', async () => {
    const [good, bad] = [uniqueId('good'), uniqueId('bad')];
    const api = await apiFor(env, { echo }, { dags: folder(good, bad) });
    const res = await api.call('GET', `/v1/dags/${good}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; dag: { formatVersion: number; nodes: Array<{ id: string }> }; mermaid: string };
    expect(body).toMatchObject({ name: good, description: 'Two steps', file: 'good.yaml' });
    expect(body.dag.formatVersion).toBe(1);
    expect(body.dag.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(body.mermaid).toContain('flowchart TD');
    expect(body.mermaid).toContain('n0 --> n1');
  });

  it('answers 404 for a name that is not in the folder, listing the known names', async () => {
    const [good, bad] = [uniqueId('good'), uniqueId('bad')];
    const api = await apiFor(env, { echo }, { dags: folder(good, bad) });
    const res = await api.call('GET', '/v1/dags/missing');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('dag_not_found');
    expect(body.error.message).toContain(good);
  });

  it('answers 422 with the problems for a definition that is invalid', async () => {
    const [good, bad] = [uniqueId('good'), uniqueId('bad')];
    const api = await apiFor(env, { echo }, { dags: folder(good, bad) });
    const res = await api.call('GET', `/v1/dags/${bad}`);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'dag_invalid', issues: [{ path: 'nodes[0].after[0]', code: 'missing_dependency' }] } });
  });

  it('refuses a name that cannot be a DAG name with 400', async () => {
    const api = await apiFor(env, { echo });
    const res = await api.call('GET', '/v1/dags/Not%20A%20Name');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { issues: [{ path: 'name' }] } });
  });
});
