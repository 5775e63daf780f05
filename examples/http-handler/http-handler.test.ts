/** The plain node:http handler example, against the dev server with the examples' worker. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';
import { startOrderServer } from './server';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('example: a plain node:http handler using the client library', () => {
  it('answers 202 with the run id, returns the same run for the same Idempotency-Key, and serves its status', async () => {
    const { weft } = await exampleWorker(env);
    const server = await startOrderServer(weft, 0);
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const key = uniqueId('order');
      const order = JSON.stringify({ orderId: 'h1', sku: 'mug', quantity: 1, amountCents: 900 });
      const post = () => fetch(`${base}/orders`, { method: 'POST', headers: { 'idempotency-key': key }, body: order });
      const first = await post();
      expect(first.status).toBe(202);
      expect(await first.json()).toEqual({ orderRun: key, duplicate: false, status: `/orders/${key}` });
      expect(await (await post()).json()).toMatchObject({ orderRun: key, duplicate: true });
      await env.client.workflow.getHandle(key).result();
      expect(await (await fetch(`${base}/orders/${key}`)).json()).toEqual({ state: 'succeeded', result: { orderId: 'h1', charge: `ch-${key}/charge`, tracking: 'TRK-h1-DE' }, failure: null });
      const bad = await fetch(`${base}/orders`, { method: 'POST', body: '{"orderId":"h2"}' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toContain('input.sku');
    } finally {
      server.close();
    }
  });
});
