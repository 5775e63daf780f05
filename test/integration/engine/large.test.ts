/** Large DAGs: history stays bounded through continue-as-new, and state survives it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { statusQuery } from '../../../src/workflows/messages';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** `layers` × `width` nodes; each node depends on two nodes of the layer before. */
function layered(name: string, layers: number, width: number, concurrency: number): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const after = l === 0 ? [] : [`n${l - 1}_${i}`, `n${l - 1}_${(i + 1) % width}`].filter((v, k, a) => a.indexOf(v) === k);
      nodes.push({ id: `n${l}_${i}`, activity: 'noop', after, input: l === 0 ? i : `{{ nodes.n${l - 1}_${i}.output + 1 }}`, retry: { maximumAttempts: 1 } });
    }
  }
  // Remote activities: continue-as-new is what is tested, and a run of local activities can finish its
  // whole DAG inside one long workflow task, where the history length that triggers it never moves.
  return { name, concurrency, defaults: { mode: 'remote' }, nodes };
}

describe('continue-as-new', () => {
  it('carries finished nodes, map progress and outputs into the next run', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { noop: rec.wrap('noop') });
    const dag = {
      name: 'carry',
      concurrency: 2,
      defaults: { mode: 'remote' },
      nodes: [
        { id: 'list', activity: 'noop', input: [1, 2, 3, 4, 5, 6, 7, 8] },
        { id: 'each', activity: 'noop', after: ['list'], map: { items: '{{ nodes.list.output }}', concurrency: 2 }, input: '{{ item * 10 }}' },
        { id: 'sum', activity: 'noop', after: ['each'], input: '{{ $sum(nodes.each.output) + $count(nodes.list.output) }}' },
      ],
    };
    const handle = await w.start(dag, { options: { continueAsNewAfterEvents: 20 } });
    expect(await handle.result()).toEqual({ sum: 368 });
    // Every item ran exactly once although the run continued as new part-way.
    expect(rec.calls.map((c) => c.activityId).sort()).toEqual(['each/0', 'each/1', 'each/2', 'each/3', 'each/4', 'each/5', 'each/6', 'each/7', 'list', 'sum']);
    const status = await handle.query(statusQuery);
    expect(status.generation).toBeGreaterThan(0);
    expect(status.nodes.map((n) => n.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The first execution in the chain ended by continuing as new.
    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
  });

  it('completes a 5,000-node DAG, each node once, with no execution near the history limit', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { noop: rec.wrap('noop') }, { maxConcurrentActivityTaskExecutions: 200 });
    const handle = await w.start(layered('five-thousand', 50, 100, 100));
    const result = (await handle.result()) as Record<string, number>;
    expect(rec.calls).toHaveLength(5000);
    expect(new Set(rec.calls.map((c) => c.activityId)).size).toBe(5000);
    // Each last-layer node carries its first-layer index plus 49 increments.
    expect(result.n49_7).toBe(7 + 49);
    expect(Object.keys(result)).toHaveLength(100);
    // Walk the continue-as-new chain: every execution stayed well under 51,200 events.
    let runId: string | undefined = handle.firstExecutionRunId;
    const lengths: number[] = [];
    while (runId) {
      const h: WorkflowHandle = env.client.workflow.getHandle(handle.workflowId, runId);
      lengths.push((await h.describe()).historyLength);
      const last = (await h.fetchHistory()).events?.at(-1);
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    console.log(`[weft:test] 5,000-node DAG: ${lengths.length} executions, history lengths ${lengths.join(', ')}`);
    expect(lengths.length).toBeGreaterThan(1);
    expect(Math.max(...lengths)).toBeLessThan(20_000);
  }, 600_000);
});
