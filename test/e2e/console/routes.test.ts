/**
 * The console's own API routes over a real stack, without a browser: paging
 * by next-page token, counts by status, the id prefix search, a run's
 * summary and packed DAG, a DAG's plan, and a node's details read from the
 * history, across continue-as-new too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { unpackDag, type PackedDag } from '../../../src/dag/pack';
import type { CompiledDag } from '../../../src/dag';
import { uniqueId } from '../../helpers/temporal';
import { startConsoleStack, startContinuingRun, type ConsoleStack } from './stack';

const dags = {
  // Remote activities: their evaluated inputs are in history (a local activity's are not).
  'pair.yaml': {
    name: 'pair',
    defaults: { mode: 'remote' },
    nodes: [
      { id: 'first', activity: 'echo', input: { n: '{{ input.n }}' } },
      { id: 'fan', after: ['first'], map: { items: '{{ [1, 2, 3] }}' }, activity: 'echo', input: { item: '{{ item }}' } },
    ],
  },
  'broken.yaml': { name: 'broken', defaults: { mode: 'remote' }, nodes: [{ id: 'boom', activity: 'fail', input: { why: 'because' } }] },
  'nearby.yaml': { name: 'nearby', nodes: [{ id: 'here', activity: 'echo', mode: 'local', input: { n: 1 } }, { id: 'there', activity: 'fail', after: ['here'], mode: 'local', retry: { maximumAttempts: 1 } }] },
  // Above the 2,000 nodes a plan carries whole: a source, 2,100 nodes after it, and a sink.
  'wide.yaml': {
    name: 'wide',
    nodes: [
      { id: 'start', activity: 'echo' },
      ...Array.from({ length: 2100 }, (_, i) => ({ id: `w${i}`, activity: 'echo', after: ['start'] })),
      { id: 'end', activity: 'echo', after: ['w0', 'w2099'], retry: { maximumAttempts: 9 } },
    ],
  },
};

/**
 * Continues-as-new part-way (see startContinuingRun): `list` runs in the
 * first execution. A run drains and continues when a node ends on a long
 * history, so the side chain ends nodes while `each`'s items run one at a
 * time, and the items span executions.
 */
const carrying = {
  name: 'carrying',
  defaults: { mode: 'remote' },
  nodes: [
    { id: 'list', activity: 'echo', input: [1, 2, 3, 4, 5, 6, 7, 8] },
    { id: 'each', activity: 'echo', after: ['list'], map: { items: '{{ nodes.list.output }}', concurrency: 1 }, input: { n: '{{ item * 10 }}' } },
    ...[1, 2, 3, 4, 5, 6].map((i) => ({ id: `side${i}`, activity: 'echo', after: [i === 1 ? 'list' : `side${i - 1}`] })),
    { id: 'sum', activity: 'echo', after: ['each', 'side6'], input: '{{ $sum(nodes.each.output.n) }}' },
  ],
};

let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack({
    activities: {
      echo: async (x: unknown) => x,
      fail: async () => {
        throw ApplicationFailure.nonRetryable('no luck', 'NoLuck');
      },
    },
    dags,
  });
});

afterAll(async () => {
  await stack?.stop();
});

const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${stack.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};

async function finished(id: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await stack.weft.getRun(id)).closedAt) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not finish`);
}

describe('console routes', () => {
  it('pages through runs with next-page tokens, each run once, and counts them by status', async () => {
    const prefix = uniqueId('page');
    const ids = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    for (const [i, id] of ids.entries()) await stack.weft.startRun({ dag: i < 4 ? 'pair' : 'broken', id, input: { n: i } });
    await Promise.all(ids.map(finished));

    // Visibility is eventually consistent: wait until every run is listed as closed.
    let counts: { total: number; byStatus: Record<string, number> } | undefined;
    for (let i = 0; i < 100; i++) {
      counts = (await get<typeof counts>(`/v1/console/runs/counts?idPrefix=${prefix}`)).body;
      if (counts?.byStatus.completed === 4 && counts.byStatus.failed === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(counts).toEqual({ total: 5, byStatus: { completed: 4, failed: 1 } });

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await get<{ runs: { id: string }[]; nextPageToken?: string }>(`/v1/console/runs?idPrefix=${prefix}&pageSize=2${token ? `&pageToken=${token}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.runs.map((r) => r.id));
      token = page.body.nextPageToken;
      pages++;
    } while (token && pages < 10);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThanOrEqual(3);

    const failed = await get<{ runs: { id: string }[] }>(`/v1/console/runs?idPrefix=${prefix}&status=failed`);
    expect(failed.body.runs.map((r) => r.id)).toEqual([ids[4]]);
  });

  it('answers 400 at once for a page token it did not give out', async () => {
    for (const token of ['bm90LWEtdG9rZW4', 'bm90LWEtdG9rZW4.0123456789abcdef']) {
      const res = await get<{ error: { code: string } }>(`/v1/console/runs?pageToken=${token}`);
      expect([token, res.status, res.body.error.code]).toEqual([token, 400, 'invalid_request']);
    }
  });

  it("gives a run's summary and its DAG packed, and a node's evaluated input, items and idempotency key", async () => {
    const id = uniqueId('pair');
    await stack.weft.startRun({ dag: 'pair', id, input: { n: 7 } });
    await finished(id);
    const head = await get<{ run: { id: string; dag: string; execution: string; closedAt?: string }; dag: PackedDag }>(`/v1/console/runs/${id}/dag`);
    expect(head.body.run).toMatchObject({ id, dag: 'pair', execution: 'COMPLETED' });
    expect(head.body.run.closedAt).toBeDefined();
    // The packed form restores the very DAG the catalog compiles.
    expect(unpackDag(head.body.dag)).toEqual(stack.weft.catalog!.get('pair'));
    // A closed execution's view is kept: the second read is the same object, with no replay behind it.
    const view = await stack.weft.getRun(id);
    expect(await stack.weft.getRun(id)).toBe(view);
    expect(await stack.weft.getRun(id, { outputs: true })).not.toBe(view);

    const first = await get<{ idempotencyKey: string; activity: { input: unknown; state: string; attempt: number }; status: { output: unknown } }>(`/v1/console/runs/${id}/nodes/first`);
    expect(first.body).toMatchObject({ idempotencyKey: `${id}/first`, activity: { input: { n: 7 }, state: 'completed', attempt: 1 }, status: { output: { n: 7 } } });

    const fan = await get<{ items: { index: number; input: unknown; state: string }[] }>(`/v1/console/runs/${id}/nodes/fan`);
    expect(fan.body.items.map((i) => [i.index, i.input, i.state])).toEqual([[0, { item: 1 }, 'completed'], [1, { item: 2 }, 'completed'], [2, { item: 3 }, 'completed']]);
  });

  it("gives a DAG's plan packed, the same DAG as GET /v1/dags/:name, and 404 for an unknown name", async () => {
    const plan = await get<{ name: string; file: string; dag: PackedDag }>('/v1/console/dags/pair/plan');
    const full = await get<{ dag: CompiledDag }>('/v1/dags/pair');
    expect([plan.status, plan.body.name, plan.body.file, plan.body.dag.format]).toEqual([200, 'pair', 'pair.yaml', 'weft-dag/1']);
    expect(unpackDag(plan.body.dag)).toEqual(full.body.dag);
    // The second answer comes from the cache by hash, and is the same.
    expect((await get<{ dag: PackedDag }>('/v1/console/dags/pair/plan')).body).toEqual(plan.body);
    expect((await get('/v1/console/dags/no-such-dag/plan')).status).toBe(404);
  });

  it('serves a plan above 2,000 nodes by layers, and the nodes of a layer a page at a time', async () => {
    const plan = await get<{ nodeCount: number; dag?: unknown; head: { name: string; concurrency: number }; layers: { count: number; sample: string[] }[] }>('/v1/console/dags/wide/plan');
    expect(plan.body).toMatchObject({ nodeCount: 2102, head: { name: 'wide', concurrency: 20 } });
    expect(plan.body.dag).toBeUndefined();
    expect(plan.body.layers).toEqual([{ count: 1, sample: ['start'] }, { count: 2100, sample: ['w0', 'w1', 'w2'] }, { count: 1, sample: ['end'] }]);

    const page = await get<{ total: number; offset: number; nodes: { id: string; after: string[] }[] }>('/v1/console/dags/wide/plan/layers/1?offset=2098&limit=5');
    expect([page.body.total, page.body.offset, page.body.nodes.map((n) => n.id)]).toEqual([2100, 2098, ['w2098', 'w2099']]);
    // Compiled nodes, with their settings for the hover card.
    const end = await get<{ nodes: { id: string; after: string[]; call: { retry: { maximumAttempts: number } } }[] }>('/v1/console/dags/wide/plan/layers/2');
    expect(end.body.nodes).toMatchObject([{ id: 'end', after: ['w0', 'w2099'], call: { retry: { maximumAttempts: 9 } } }]);

    const beyond = await get<{ error: { message: string } }>('/v1/console/dags/wide/plan/layers/3');
    expect([beyond.status, beyond.body.error.message]).toEqual([404, 'DAG wide has 3 layers (0 to 2); there is no layer 3']);
    expect((await get('/v1/console/dags/wide/plan/layers/1?limit=501')).status).toBe(400);
  });

  it('reads a node of a run that continued-as-new from the execution it ran in', async () => {
    const id = uniqueId('carrying');
    const firstRunId = await startContinuingRun(stack, carrying, id, 20);
    await finished(id);
    const view = await stack.weft.getRun(id);
    expect(view.status?.generation).toBeGreaterThan(0);
    expect(view.runId).not.toBe(firstRunId);

    type Detail = { activity?: { runId: string; input: unknown; state: string }; items?: { index: number; runId: string; input: unknown; state: string }[]; executions: string[] };
    const list = (await get<Detail>(`/v1/console/runs/${id}/nodes/list`)).body;
    // `list` ran in the first execution; the current one has no event of it.
    expect(list.activity).toMatchObject({ runId: firstRunId, input: [1, 2, 3, 4, 5, 6, 7, 8], state: 'completed' });
    expect(list.executions[0]).toBe(view.runId);
    expect(list.executions.at(-1)).toBe(firstRunId);

    const each = (await get<Detail>(`/v1/console/runs/${id}/nodes/each`)).body;
    expect(each.items?.map((i) => [i.index, i.input, i.state])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n, i) => [i, { n: n * 10 }, 'completed']));
    // The items span executions: the run continued-as-new while the map ran.
    expect(new Set(each.items?.map((i) => i.runId)).size).toBeGreaterThan(1);
  });

  it("gives a failed node's error with its type and stack", async () => {
    const id = uniqueId('broken');
    await stack.weft.startRun({ dag: 'broken', id });
    await finished(id);
    const boom = await get<{ activity: { state: string; input: unknown; error: { message: string; type: string; stack: string } } }>(`/v1/console/runs/${id}/nodes/boom`);
    expect(boom.body.activity).toMatchObject({ state: 'failed', input: { why: 'because' }, error: { message: 'no luck', type: 'NoLuck' } });
    expect(boom.body.activity.error.stack).toMatch(/\bat\b/);
  });

  it("gives a local activity's details from its status: its mode, state, attempts, output and error", async () => {
    const id = uniqueId('nearby');
    await stack.weft.startRun({ dag: 'nearby', id });
    await finished(id);
    const here = (await get<{ status: { mode?: string; state: string; attempts?: number; output?: unknown }; activity?: unknown }>(`/v1/console/runs/${id}/nodes/here`)).body;
    // A local activity has no activity events to read; its details are its status, with its mode and output.
    expect(here.status).toMatchObject({ mode: 'local', state: 'succeeded', attempts: 1, output: { n: 1 } });
    expect(here.activity).toBeUndefined();
    const there = (await get<{ status: { mode?: string; state: string; error?: { message: string; type?: string } } }>(`/v1/console/runs/${id}/nodes/there`)).body;
    expect(there.status).toMatchObject({ mode: 'local', state: 'failed', error: { message: 'no luck', type: 'NoLuck' } });
  });

  it('answers 404 for the DAG of a run that does not exist', async () => {
    expect((await get(`/v1/console/runs/${uniqueId('nope')}/dag`)).status).toBe(404);
  });
});
