/** The outbox example: an order and its saga run commit together, on a real PostgreSQL and the dev server. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'pg';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OutboxRelay } from '../../src/outbox';
import { devServerEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';
import { placeOrder, setUpDatabase, type Order } from './app';

const url = process.env.WEFT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:55432/weft_test';
// The app uses unqualified table names; a schema of its own on the search_path keeps this test apart.
const schema = `outbox_example_${randomUUID().slice(0, 8)}`;
let env: TestWorkflowEnvironment;
let admin: Pool;
let pool: Pool;

beforeAll(async () => {
  env = await devServerEnv();
  admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  pool = new Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  await setUpDatabase(pool);
});
afterAll(async () => {
  await pool?.end();
  await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin?.end();
  await env?.teardown();
});

describe('example: outbox', () => {
  it('a placed order gets its order-saga run, started by the relay', async () => {
    const { weft } = await exampleWorker(env);
    const order: Order = { orderId: uniqueId('o'), sku: 'mug', quantity: 2, amountCents: 2400 };

    const runId = await placeOrder(pool, order);
    const totals = await new OutboxRelay({ pool, weft, listen: false }).drain();

    expect(runId).toBe(`order-${order.orderId}`);
    expect(totals).toMatchObject({ published: 1, failed: 0 });
    expect(await env.client.workflow.getHandle(runId).result()).toEqual({ orderId: order.orderId, charge: `ch-${runId}/charge`, tracking: `TRK-${order.orderId}-DE` });
  });

  it('an order that fails to save leaves no outbox row and starts no run', async () => {
    const { weft } = await exampleWorker(env);
    const order: Order = { orderId: uniqueId('o'), sku: 'mug', quantity: 0, amountCents: 2400 };

    await expect(placeOrder(pool, order)).rejects.toThrow(/orders_quantity_check/);
    await new OutboxRelay({ pool, weft, listen: false }).drain();

    expect((await pool.query('SELECT 1 FROM weft_outbox WHERE dedupe_key = $1', [`order-${order.orderId}`])).rowCount).toBe(0);
    await expect(env.client.workflow.getHandle(`order-${order.orderId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
