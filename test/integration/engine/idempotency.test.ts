/**
 * Idempotency keys: `<workflowId>/<nodeId>[/<index>]`, the same on every
 * activity retry and on `retry --from-failed`, different between runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { compileDag } from '../../../src/dag';
import { WeftClient } from '../../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { dagWorker, Recorder } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('idempotency keys', () => {
  it('stay the same across activity retries, per node and per map item', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, {
      flaky: rec.wrap('flaky', async (input: { n: number }) => {
        if (rec.calls.filter((c) => (c.input as { n: number }).n === input.n).length < 2) throw new Error('transient');
        return input.n;
      }),
    });
    const handle = await w.start({
      name: 'keys',
      nodes: [
        { id: 'single', activity: 'flaky', input: { n: 0 }, retry: { initialInterval: '100ms' } },
        { id: 'each', activity: 'flaky', map: { items: [1, 2] }, input: { n: '{{ item }}' }, retry: { initialInterval: '100ms' } },
      ],
    });
    expect(await handle.result()).toEqual({ single: 0, each: [1, 2] });
    const keysOf = (activityId: string) => rec.callsOf(activityId).map((c) => [c.attempt, c.key]);
    expect(keysOf('single')).toEqual([
      [1, `${handle.workflowId}/single`],
      [2, `${handle.workflowId}/single`],
    ]);
    expect(keysOf('each/1')).toEqual([
      [1, `${handle.workflowId}/each/1`],
      [2, `${handle.workflowId}/each/1`],
    ]);
  });

  it('differ between runs of the same DAG', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { ok: rec.wrap('ok') });
    const dag = { name: 'two-runs', nodes: [{ id: 'only', activity: 'ok' }] };
    await (await w.start(dag)).result();
    await (await w.start(dag)).result();
    const [k1, k2] = rec.calls.map((c) => c.key);
    expect(k1).not.toBe(k2);
  });
});

describe('retry --from-failed', () => {
  it('re-runs only failed and skipped nodes under the same keys, reusing the outputs that succeeded', async () => {
    const rec = new Recorder();
    let broken = true;
    const w = await dagWorker(env, {
      fetch: rec.wrap('fetch', async () => ({ rows: 3 })),
      load: rec.wrap('load', async (input: { rows: number }) => {
        if (broken) throw ApplicationFailure.nonRetryable('warehouse is read-only', 'ReadOnly');
        return { loaded: input.rows };
      }),
      report: rec.wrap('report'),
    });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const dag = compileDag({
      name: 'etl',
      nodes: [
        { id: 'fetch', activity: 'fetch' },
        { id: 'load', activity: 'load', after: ['fetch'], input: { rows: '{{ nodes.fetch.output.rows }}' } },
        { id: 'report', activity: 'report', after: ['load'], input: { loaded: '{{ nodes.load.output.loaded }}' } },
      ],
    });
    const id = uniqueId('etl');
    await weft.startRun({ dag, id });
    await expect(env.client.workflow.getHandle(id).result()).rejects.toThrow();
    const failed = await weft.getRun(id);
    expect(failed.execution).toBe('FAILED');
    expect(failed.failure?.message).toBe('node "load" failed: warehouse is read-only');
    expect(failed.status?.nodes.map((n) => n.state)).toEqual(['succeeded', 'failed', 'skipped']);

    broken = false;
    const retried = await weft.retryRun(id, { fromFailed: true });
    expect(retried.reused).toEqual(['fetch']);
    expect(await env.client.workflow.getHandle(id, retried.runId).result()).toEqual({ report: { loaded: 3 } });

    // fetch ran once in all; load ran once per execution, both times under the same key.
    expect(rec.callsOf('fetch')).toHaveLength(1);
    expect(rec.callsOf('load').map((c) => c.key)).toEqual([`${id}/load`, `${id}/load`]);
    const after = await weft.getRun(id);
    expect(after.execution).toBe('COMPLETED');
    expect(after.status?.nodes.find((n) => n.id === 'fetch')).toMatchObject({ state: 'succeeded', reused: true });
    // The failed execution stays visible next to the new one.
    const runs = await weft.listRuns({ dag: 'etl' });
    expect(runs.filter((r) => r.id === id).map((r) => r.execution).sort()).toEqual(['COMPLETED', 'FAILED']);
  });

  it('starting twice with the same idempotency key returns the first run', async () => {
    const w = await dagWorker(env, { ok: async (x: unknown) => x });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const dag = compileDag({ name: 'once', nodes: [{ id: 'a', activity: 'ok' }] });
    const id = uniqueId('key');
    const first = await weft.startRun({ dag, id });
    const second = await weft.startRun({ dag, id });
    expect(first.existing).toBe(false);
    expect(second).toEqual({ id, runId: first.runId, existing: true });
    await env.client.workflow.getHandle(id).result();
    const third = await weft.startRun({ dag, id });
    expect(third).toEqual({ id, runId: first.runId, existing: true });
  });
});
