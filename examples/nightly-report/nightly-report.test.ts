/** The nightly report example in virtual time: approval, a one-hour delay, escalation on refusal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approvalUpdate } from '../../src/workflows/messages';
import { timeSkippingEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';
import { waitForStatus } from '../../test/helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('example: nightly-report', () => {
  it('publishes an hour after approval, naming the approver', async () => {
    // The time-skipping server does not know Weft's search attributes.
    const { weft } = await exampleWorker(env, { searchAttributes: false });
    const id = uniqueId('report');
    await weft.startRun({ dag: 'nightly-report', id, input: { day: '2026-11-21' } });
    const handle = env.client.workflow.getHandle(id);
    await waitForStatus(handle, (s) => s.nodes.find((n) => n.id === 'approve')?.reason?.startsWith('awaiting approval'));
    const approvedAt = await env.currentTimeMs();
    await handle.executeUpdate(approvalUpdate, { args: [{ node: 'approve', decision: 'approve', by: 'editor@example.com' }] });
    expect(await handle.result()).toEqual({ publish: { url: 'https://reports.example.com/report-2026-11-21', approvedBy: 'editor@example.com' } });
    expect((await env.currentTimeMs()) - approvedAt).toBeGreaterThanOrEqual(3_600_000);
  });

  it('escalates and fails the run when the report is rejected', async () => {
    const { weft } = await exampleWorker(env, { searchAttributes: false });
    const id = uniqueId('report');
    await weft.startRun({ dag: 'nightly-report', id, input: { day: '2026-11-21' } });
    const handle = env.client.workflow.getHandle(id);
    await waitForStatus(handle, (s) => s.nodes.find((n) => n.id === 'approve')?.reason?.startsWith('awaiting approval'));
    await handle.executeUpdate(approvalUpdate, { args: [{ node: 'approve', decision: 'reject', by: 'editor', reason: 'figures look off' }] });
    await expect(handle.result()).rejects.toThrow();
    const run = await weft.getRun(id);
    expect(Object.fromEntries((run.status?.nodes ?? []).map((n) => [n.id, n.state]))).toEqual({
      collect: 'succeeded',
      build: 'succeeded',
      approve: 'failed',
      publish: 'skipped',
      escalate: 'succeeded',
    });
  });
});
