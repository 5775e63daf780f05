/** `weft queue add|status` as a subprocess. */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { exampleWorker, EXAMPLES_DIR } from '../helpers/examples';
import { runWeft } from '../helpers/cli';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const order = (id: string) => JSON.stringify({ orderId: id, sku: 'mug', quantity: 1, amountCents: 900 });

describe('weft queue', () => {
  it('adds jobs that run in order, drops a repeated --id, and reports the queue', async () => {
    const { taskQueue } = await exampleWorker(env);
    const cli = (...args: string[]) => runWeft(args, { env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_TASK_QUEUE: taskQueue, WEFT_DAGS_DIR: EXAMPLES_DIR } });
    const key = uniqueId('customer');
    const first = JSON.parse((await cli('queue', 'add', key, 'order-saga', '--input', order('o1'), '--id', 'o1', '--json')).stdout) as { runId: string };
    await cli('queue', 'add', key, 'order-saga', '--input', order('o2'), '--id', 'o2');
    const again = await cli('queue', 'add', key, 'order-saga', '--input', order('o1'), '--id', 'o1', '--json');
    expect((JSON.parse(again.stdout) as { runId: string }).runId).toBe(first.runId);
    await expect
      .poll(async () => (JSON.parse((await cli('queue', 'status', key, '--json')).stdout) as { counts: Record<string, number> }).counts, { timeout: 30_000 })
      .toMatchObject({ accepted: 2, succeeded: 2, duplicates: 1 });
    const text = await cli('queue', 'status', key);
    expect(text.stdout).toContain(`queue ${key}: 0 waiting, 0 running; accepted 2, succeeded 2`);
  });

  it('exits 5 for an unknown queue and 2 for a bad --debounce', async () => {
    const cli = (...args: string[]) => runWeft(args, { env: { TEMPORAL_ADDRESS: inject('temporalAddress') } });
    expect((await cli('queue', 'status', uniqueId('none'))).code).toBe(5);
    const bad = await cli('queue', 'add', 'k', 'order-saga', '--debounce', 'soonish');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected --debounce to be a duration such as 30s or 5m, got `soonish`');
  });
});
