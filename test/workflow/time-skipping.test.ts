/** Proves the Java test server really skips time. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestWorker, timeSkippingEnv, uniqueId } from '../helpers/temporal';
import { TEST_SERVER_VERSION } from '../../src/temporal/servers';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  const t0 = Date.now();
  env = await timeSkippingEnv();
  console.log(`[weft:test] Java time-skipping test server ${TEST_SERVER_VERSION} listening on ${env.address}, ready in ${Date.now() - t0} ms`);
});
afterAll(async () => {
  await env?.teardown();
});

describe('time-skipping server', () => {
  it('completes a workflow that sleeps 30 days in seconds of wall time', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const { worker, taskQueue } = await createTestWorker(env);
    const before = await env.currentTimeMs();
    const wallStart = Date.now();
    const result = await worker.runUntil(env.client.workflow.execute('sleepForDays', { args: [30], taskQueue, workflowId: uniqueId('sleep') }));
    const wallMs = Date.now() - wallStart;
    const skippedMs = (await env.currentTimeMs()) - before;
    console.log(`[weft:test] 30-day sleep finished in ${wallMs} ms of wall time`);
    expect(result).toBe('slept 30 days');
    // The server's clock moved 30 days; the wall time is reported, not asserted (see BENCHMARKS.md).
    expect(skippedMs).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  });
});
