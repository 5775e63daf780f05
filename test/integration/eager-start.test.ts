/**
 * Eager workflow start (WeftClientOptions.eagerStart) against the real dev
 * server: a client on the worker's NativeConnection gets each run's first
 * workflow task back with the start, so a run of local nodes completes in
 * that one task. When the worker cannot take it (no free slot, or no worker
 * of this process on the run's task queue) the start takes the normal path,
 * and the start's contract (ids, duplicates) is the same either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CustomSlotSupplier, Worker, WorkflowSlotInfo } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { EagerStartUnsupportedError, WeftClient } from '../../src/client/weft-client';
import { createTestWorker, devServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const EventType = temporal.api.enums.v1.EventType;
const activities = { double: async (x: { n: number }) => ({ n: x.n * 2 }) };
const twoNodes = {
  name: 'eager-chain',
  nodes: [
    { id: 'a', activity: 'double', input: { n: '{{ input.n }}' } },
    { id: 'b', activity: 'double', after: ['a'], input: { n: '{{ nodes.a.output.n }}' } },
  ],
};

function eagerClient(taskQueue: string): WeftClient {
  return new WeftClient(new Client({ connection: env.nativeConnection, namespace: env.namespace ?? 'default' }), { taskQueue, eagerStart: true });
}

/** Runs `fn` while `worker` polls, then stops it. */
async function whileRunning<T>(worker: Worker, fn: () => Promise<T>): Promise<T> {
  const running = worker.run();
  try {
    return await fn();
  } finally {
    worker.shutdown();
    await running;
  }
}

async function eventTypes(weft: WeftClient, id: string): Promise<number[]> {
  const history = await weft.temporal.workflow.getHandle(id).fetchHistory();
  return (history.events ?? []).map((e) => Number(e.eventType));
}

/** A workflow task slot supplier that never has a slot free at the moment a start asks (tryReserveSlot), but serves pollers. */
const noEagerSlots: CustomSlotSupplier<WorkflowSlotInfo> = {
  type: 'custom',
  reserveSlot: async () => ({}),
  tryReserveSlot: () => null,
  markSlotUsed: () => undefined,
  releaseSlot: () => undefined,
};

describe('eager workflow start', () => {
  it('hands the first workflow task to the worker of this process, and a run of local nodes completes in that one task', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities });
    const weft = eagerClient(taskQueue);
    const id = uniqueId('eager');
    const started = await whileRunning(worker, async () => {
      const s = await weft.startRunDetails({ dag: twoNodes, input: { n: 3 }, id });
      expect(await weft.temporal.workflow.getHandle(id).result()).toEqual({ b: { n: 12 } });
      return s;
    });
    expect(started).toMatchObject({ id, existing: false, eagerlyStarted: true });
    const types = await eventTypes(weft, id);
    expect(types.filter((t) => t === Number(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED))).toHaveLength(1);
    expect(types.at(-1)).toBe(Number(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED));
  });

  it('keeps the start contract: the same id again returns the first run, not a new eager one', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities });
    const weft = eagerClient(taskQueue);
    const id = uniqueId('eager-dup');
    const [first, second] = await whileRunning(worker, async () => {
      const a = await weft.startRunDetails({ dag: twoNodes, input: { n: 1 }, id });
      await weft.temporal.workflow.getHandle(id).result();
      return [a, await weft.startRunDetails({ dag: twoNodes, input: { n: 1 }, id })];
    });
    expect(first.eagerlyStarted).toBe(true);
    expect(second).toEqual({ id, runId: first.runId, existing: true, eagerlyStarted: false });
  });

  it('falls back to the task queue when the worker has no free workflow task slot, and the run still completes', async () => {
    const { worker, taskQueue } = await createTestWorker(env, {
      activities,
      tuner: {
        workflowTaskSlotSupplier: noEagerSlots,
        activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
        localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
        nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 10 },
      },
    });
    const weft = eagerClient(taskQueue);
    const id = uniqueId('eager-full');
    const started = await whileRunning(worker, async () => {
      const s = await weft.startRunDetails({ dag: twoNodes, input: { n: 5 }, id });
      expect(await weft.temporal.workflow.getHandle(id).result()).toEqual({ b: { n: 20 } });
      return s;
    });
    expect(started).toMatchObject({ id, existing: false, eagerlyStarted: false });
  });

  it('falls back when no worker of this process polls the run\'s task queue; a worker started later runs it', async () => {
    const weft = eagerClient(uniqueId('tq-elsewhere'));
    const other = uniqueId('tq-later');
    const id = uniqueId('eager-nowhere');
    const started = await weft.startRunDetails({ dag: twoNodes, input: { n: 2 }, id, taskQueue: other });
    expect(started.eagerlyStarted).toBe(false);
    const { worker } = await createTestWorker(env, { activities, taskQueue: other });
    const result = await whileRunning(worker, () => weft.temporal.workflow.getHandle(id).result());
    expect(result).toEqual({ b: { n: 8 } });
  });

  it('does not start a delayed run eagerly (the server would refuse it)', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities });
    const weft = eagerClient(taskQueue);
    const id = uniqueId('eager-delay');
    const started = await whileRunning(worker, async () => {
      const s = await weft.startRunDetails({ dag: twoNodes, input: { n: 1 }, id, delay: '1s' });
      await weft.temporal.workflow.getHandle(id).result();
      return s;
    });
    expect(started.eagerlyStarted).toBe(false);
  });

  it('refuses eagerStart on a client with a connection of its own, at construction, naming the fix', () => {
    expect(() => new WeftClient(env.client, { eagerStart: true })).toThrow(EagerStartUnsupportedError);
    expect(() => new WeftClient(env.client, { eagerStart: true })).toThrow(/NativeConnection/);
  });
});
