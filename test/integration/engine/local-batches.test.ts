/**
 * The bound on local activities per workflow task (src/workflows/local-budget.ts):
 * a run with more local calls than one batch closes a workflow task (with
 * the batch's markers) before it starts more, behind a 1 ms timer; every
 * node still runs once; and a run with fewer local calls records nothing
 * new (no patch marker, no timer), so small runs cost what they did. The
 * batched history replays.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { LOCAL_BATCHES_PATCH, LOCAL_CALLS_PER_TASK } from '../../../src/workflows/local-budget';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface Shape {
  /** Local-activity markers recorded by each completed workflow task, in history order. */
  markersPerTask: number[];
  timers: number;
  patches: string[];
}

async function shape(handle: WorkflowHandle): Promise<Shape> {
  const out: Shape = { markersPerTask: [], timers: 0, patches: [] };
  for (const e of (await handle.fetchHistory()).events ?? []) {
    if (e.workflowTaskCompletedEventAttributes) out.markersPerTask.push(0);
    if (e.timerStartedEventAttributes) out.timers++;
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') out.markersPerTask[out.markersPerTask.length - 1]!++;
    if (marker?.markerName === 'core_patch') {
      const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
      if (data) out.patches.push((JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id);
    }
  }
  return out;
}

/** `layers` × `width` local no-op nodes; each node depends on one of the layer before and passes its output on. */
function layered(name: string, layers: number, width: number): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) nodes.push({ id: `n${l}_${i}`, activity: 'step', after: l ? [`n${l - 1}_${i}`] : [], input: l ? `{{ nodes.n${l - 1}_${i}.output + 1 }}` : 0 });
  }
  return { name, concurrency: width, defaults: { mode: 'local' }, nodes };
}

describe('local activities per workflow task', () => {
  it(`closes a workflow task after ${LOCAL_CALLS_PER_TASK} local starts before it starts more, and runs each node once`, async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { step: rec.wrap('step', async (x: number) => x) });
    const layers = 5;
    const width = 100;
    const handle = await w.start(layered('local-batches', layers, width));
    const result = (await handle.result()) as Record<string, number>;
    expect(Object.keys(result)).toHaveLength(width);
    expect(result[`n${layers - 1}_0`]).toBe(layers - 1);
    const keys = rec.calls.map((c) => c.key);
    expect(keys).toHaveLength(layers * width);
    expect(new Set(keys).size).toBe(layers * width);

    const s = await shape(handle);
    expect(s.patches).toContain(LOCAL_BATCHES_PATCH);
    // 500 starts in batches of 200: a barrier after the first and the second batch.
    expect(s.timers).toBe(Math.ceil((layers * width) / LOCAL_CALLS_PER_TASK) - 1);
    expect(s.markersPerTask.reduce((a, b) => a + b, 0)).toBe(layers * width);
    expect(Math.max(...s.markersPerTask)).toBeLessThanOrEqual(LOCAL_CALLS_PER_TASK);
    // The barriers replay: the patch is read at the same point, and the timers come back in the same order.
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, await handle.fetchHistory(), handle.workflowId);
  });

  it('records no patch marker and no timer for a run with fewer local calls than one batch', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { step: rec.wrap('step', async (x: number) => x) });
    const handle = await w.start(layered('local-few', 2, 10));
    await handle.result();
    const s = await shape(handle);
    expect(s.patches).not.toContain(LOCAL_BATCHES_PATCH);
    expect(s.timers).toBe(0);
    expect(rec.calls).toHaveLength(20);
  });
});
