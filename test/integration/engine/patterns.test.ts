/** Chain, group, chord and map on the real dagRun workflow. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('dagRun patterns', () => {
  it('runs a chain in order, passing each output to the next', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { 'math.add': rec.wrap('math.add', async ({ a, b }: { a: number; b: number }) => a + b) });
    const dag = {
      name: 'chain',
      nodes: [
        { id: 'one', activity: 'math.add', input: { a: '{{ input.start }}', b: 1 } },
        { id: 'two', activity: 'math.add', after: ['one'], input: { a: '{{ nodes.one.output }}', b: 10 } },
        { id: 'three', activity: 'math.add', after: ['two'], input: { a: '{{ nodes.two.output }}', b: 100 } },
      ],
    };
    const result = await (await w.start(dag, { input: { start: 5 } })).result();
    expect(result).toEqual({ three: 116 });
    expect(rec.order()).toEqual(['one', 'two', 'three']);
  });

  it('starts every member of a group in the same activation and joins them in a chord callback', async () => {
    const rec = new Recorder();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = await dagWorker(env, {
      slow: rec.wrap('slow', async (input: { n: number }) => {
        // Hold every member until all three are running at once.
        if (rec.inFlight === 3) release();
        await gate;
        return input.n * 2;
      }),
      sum: rec.wrap('sum', async (input: { values: number[] }) => input.values.reduce((a, b) => a + b, 0)),
    });
    const dag = {
      name: 'chord',
      // Remote, so the history shows which workflow task scheduled each member.
      defaults: { mode: 'remote' },
      output: '{{ nodes.total.output }}',
      nodes: [
        { id: 'a', activity: 'slow', input: { n: 1 } },
        { id: 'b', activity: 'slow', input: { n: 2 } },
        { id: 'c', activity: 'slow', input: { n: 3 } },
        { id: 'total', activity: 'sum', after: ['a', 'b', 'c'], input: { values: '{{ [nodes.a.output, nodes.b.output, nodes.c.output] }}' } },
      ],
    };
    const handle = await w.start(dag);
    const result = await handle.result();
    expect(result).toBe(12);
    expect(rec.maxInFlight).toBe(3);
    // All three were scheduled by the same workflow task completion.
    const history = await handle.fetchHistory();
    const scheduledBy = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a && a.activityId !== 'total')
      .map((a) => String(a!.workflowTaskCompletedEventId));
    expect(scheduledBy).toHaveLength(3);
    expect(new Set(scheduledBy).size).toBe(1);
    expect(rec.order().at(-1)).toBe('total');
  });

  it('fans out a map over an upstream list with at most `concurrency` items in flight, keeping item order in the output', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, {
      list: rec.wrap('list', async () => Array.from({ length: 12 }, (_, i) => i)),
      square: rec.wrap('square', async ({ n }: { n: number }) => {
        await new Promise((r) => setTimeout(r, 30 + (n % 3) * 20));
        return n * n;
      }),
    });
    const dag = {
      name: 'fanout',
      nodes: [
        { id: 'list', activity: 'list' },
        { id: 'sq', activity: 'square', after: ['list'], map: { items: '{{ nodes.list.output }}', concurrency: 3 }, input: { n: '{{ item }}' } },
      ],
    };
    const result = await (await w.start(dag)).result();
    expect(result).toEqual({ sq: Array.from({ length: 12 }, (_, i) => i * i) });
    expect(rec.maxInFlight).toBe(3);
    expect(rec.calls.filter((c) => c.activity === 'square').map((c) => c.activityId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `sq/${i}`).sort());
  });

  it('passes batches to the activity when batchSize is above 1', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { batch: rec.wrap('batch', async ({ items }: { items: number[] }) => items.reduce((a, b) => a + b, 0)) });
    const dag = {
      name: 'batches',
      nodes: [{ id: 'sum', activity: 'batch', map: { items: [1, 2, 3, 4, 5, 6, 7], batchSize: 3 }, input: { items: '{{ item }}', index: '{{ index }}' } }],
    };
    const result = await (await w.start(dag)).result();
    expect(result).toEqual({ sum: [6, 15, 7] });
    expect(rec.calls.map((c) => c.input as { index: number }).sort((x, y) => x.index - y.index)).toEqual([
      { items: [1, 2, 3], index: 0 },
      { items: [4, 5, 6], index: 1 },
      { items: [7], index: 2 },
    ]);
  });

  it('keeps at most the run-wide `concurrency` activities in flight', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { wait: rec.wrap('wait', async () => new Promise((r) => setTimeout(() => r(null), 50))) });
    const dag = { name: 'wide', concurrency: 4, nodes: Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, activity: 'wait' })) };
    await (await w.start(dag)).result();
    expect(rec.calls).toHaveLength(12);
    expect(rec.maxInFlight).toBe(4);
  });
});
