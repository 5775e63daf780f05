/** The customer-queue example: FIFO per customer key on the dev server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';
import { applied } from './activities';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('example: customer-queue', () => {
  it("applies each customer's changes in the order they were sent, customers independently", async () => {
    const { weft } = await exampleWorker(env);
    const [alice, bob] = [uniqueId('alice'), uniqueId('bob')];
    await Promise.all(
      [alice, bob].map(async (customerId) => {
        for (let v = 1; v <= 10; v++) await weft.enqueue(customerId, 'customer-sync', { customerId, change: { email: `v${v}@example.com` } }, { idempotencyKey: `${customerId}-v${v}` });
      }),
    );
    for (const key of [alice, bob]) await expect.poll(async () => (await weft.queueStatus(key)).counts.succeeded, { timeout: 60_000 }).toBe(10);
    for (const key of [alice, bob]) expect(applied.get(key)).toEqual(Array.from({ length: 10 }, (_, i) => ({ email: `v${i + 1}@example.com` })));
  });
});
