/** The order saga example on the dev server: success, and compensation on failure. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const order = { orderId: 'o-1', sku: 'mug', quantity: 2, amountCents: 2400 };

describe('example: order-saga', () => {
  it('reserves, charges and ships, returning the tracking number', async () => {
    const { weft } = await exampleWorker(env);
    const id = uniqueId('order');
    await weft.startRun({ dag: 'order-saga', id, input: order });
    expect(await env.client.workflow.getHandle(id).result()).toEqual({ orderId: 'o-1', charge: `ch-${id}/charge`, tracking: 'TRK-o-1-DE' });
  });

  it('refunds the charge and then releases the stock when shipping fails', async () => {
    const { weft } = await exampleWorker(env);
    const id = uniqueId('order');
    await weft.startRun({ dag: 'order-saga', id, input: { ...order, country: 'XX' } });
    await expect(env.client.workflow.getHandle(id).result()).rejects.toThrow();
    const run = await weft.getRun(id);
    expect(run.failure).toEqual({ message: 'node "ship" failed: no carrier serves country XX', type: 'WeftNodeFailed' });
    const nodes = Object.fromEntries((run.status?.nodes ?? []).map((n) => [n.id, n]));
    expect(nodes.reserve?.compensation).toEqual({ state: 'succeeded' });
    expect(nodes.charge?.compensation).toEqual({ state: 'succeeded' });
    expect(nodes.ship).toMatchObject({ state: 'failed', attempts: 1, error: { type: 'NoCarrier' } });
    // Compensations ran newest first: the refund was scheduled before the release. They are short nodes, so
    // they run as local activities (mode: auto), recorded as markers that name the activity type.
    const markerType = (e: { markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null } | null }): string | undefined => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type : undefined;
    };
    const scheduled = ((await env.client.workflow.getHandle(id).fetchHistory()).events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? markerType(e))
      .filter((a): a is string => a === 'orders.refund' || a === 'orders.releaseStock');
    expect(scheduled).toEqual(['orders.refund', 'orders.releaseStock']);
  });
});
