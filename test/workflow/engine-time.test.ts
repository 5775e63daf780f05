/**
 * The parts of dagRun that depend on time, in virtual time on the Java
 * test server: retry backoff, Retry-After, delays, and approval deadlines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approvalSignal, approvalUpdate, statusQuery } from '../../src/workflows/messages';
import { timeSkippingEnv } from '../helpers/temporal';
import { dagWorker, Recorder, waitForStatus } from '../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const DAY = 86_400_000;

describe('retries', () => {
  it('retries with exponential backoff and succeeds on attempt 3', async () => {
    const rec = new Recorder();
    const at: number[] = [];
    const w = await dagWorker(env, {
      flaky: rec.wrap('flaky', async () => {
        at.push(await env.currentTimeMs());
        if (rec.calls.length < 3) throw new Error(`transient failure ${rec.calls.length}`);
        return 'ok';
      }),
    });
    const handle = await w.start({
      name: 'retry',
      nodes: [{ id: 'flaky', activity: 'flaky', retry: { maximumAttempts: 5, initialInterval: '10s', backoffCoefficient: 3, maximumInterval: '1h' } }],
    });
    expect(await handle.result()).toEqual({ flaky: 'ok' });
    expect(rec.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 10s, then 10s × 3 = 30s (server time; a little slack for the attempt's own run time).
    expect(gaps[0]).toBeGreaterThanOrEqual(10_000);
    expect(gaps[0]).toBeLessThan(12_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(30_000);
    expect(gaps[1]).toBeLessThan(32_000);
    const status = await handle.query(statusQuery);
    expect(status.nodes[0]).toMatchObject({ state: 'succeeded', attempts: 3 });
  });

  it('does not retry an error type listed as non-retryable, and reports the attempts', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, {
      pay: rec.wrap('pay', async () => {
        throw ApplicationFailure.create({ message: 'card declined', type: 'CardDeclined' });
      }),
    });
    const handle = await w.start({
      name: 'non-retryable',
      nodes: [{ id: 'pay', activity: 'pay', retry: { maximumAttempts: 10, initialInterval: '1s', nonRetryableErrorTypes: ['CardDeclined'] } }],
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(rec.calls).toHaveLength(1);
    const node = (await handle.query(statusQuery)).nodes[0]!;
    expect(node).toMatchObject({ state: 'failed', attempts: 1, error: { message: 'card declined', type: 'CardDeclined' } });
  });

  it('waits the Retry-After an activity asks for before the next attempt', async () => {
    const rec = new Recorder();
    const at: number[] = [];
    const w = await dagWorker(env, {
      limited: rec.wrap('limited', async () => {
        at.push(await env.currentTimeMs());
        if (rec.calls.length === 1) {
          throw ApplicationFailure.create({ message: 'HTTP 429', type: 'HttpClientError', nextRetryDelay: '7 minutes' });
        }
        return 'through';
      }),
    });
    const handle = await w.start({ name: 'retry-after', nodes: [{ id: 'call', activity: 'limited', retry: { initialInterval: '1s', maximumAttempts: 3 } }] });
    expect(await handle.result()).toEqual({ call: 'through' });
    const gap = at[1]! - at[0]!;
    expect(gap).toBeGreaterThanOrEqual(7 * 60_000);
    expect(gap).toBeLessThan(7 * 60_000 + 5_000);
  });
});

describe('delays', () => {
  it('waits `delay: 7d` on a durable timer once dependencies are done', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { ok: rec.wrap('ok') });
    const handle = await w.start({
      name: 'delayed',
      // Remote: an activity's scheduled time is the server's (virtual) clock only for a remote activity.
      defaults: { mode: 'remote' },
      nodes: [
        { id: 'now', activity: 'ok' },
        { id: 'later', activity: 'ok', after: ['now'], delay: '7d' },
      ],
    });
    const before = await env.currentTimeMs();
    await handle.result();
    const [now, later] = [rec.callsOf('now')[0]!, rec.callsOf('later')[0]!];
    expect(later.scheduledAt - now.scheduledAt).toBeGreaterThanOrEqual(7 * DAY);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(7 * DAY);
  });

  it('waits until an `at` time computed from the input', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { ok: rec.wrap('ok') });
    const start = await env.currentTimeMs();
    const at = new Date(start + 3 * DAY).toISOString();
    const handle = await w.start({ name: 'at', defaults: { mode: 'remote' }, nodes: [{ id: 'then', activity: 'ok', at: '{{ input.when }}' }] }, { input: { when: at } });
    await handle.result();
    expect(rec.calls[0]!.scheduledAt).toBeGreaterThanOrEqual(Date.parse(at));
  });
});

describe('approvals', () => {
  const approvalDag = {
    name: 'approval',
    nodes: [
      { id: 'prepare', activity: 'ok' },
      { id: 'approve', type: 'approval', after: ['prepare'], timeout: '24h' },
      { id: 'publish', activity: 'ok', after: ['approve'], input: { by: '{{ nodes.approve.output.by }}' } },
    ],
  };

  it('continues when approved through the update, with who approved it in the output', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { ok: rec.wrap('ok') });
    const handle = await w.start(approvalDag);
    await waitForStatus(handle, (s) => s.nodes[1]!.state === 'waiting' && s.nodes[1]!.reason?.startsWith('awaiting approval'));
    const answer = await handle.executeUpdate(approvalUpdate, { args: [{ node: 'approve', decision: 'approve', by: 'ops@example.com', reason: 'looks good' }] });
    expect(answer).toMatchObject({ node: 'approve', decision: 'approve' });
    expect(await handle.result()).toEqual({ publish: { by: 'ops@example.com' } });
  });

  it('refuses a decision for a node that is not waiting for approval', async () => {
    const w = await dagWorker(env, { ok: async (x: unknown) => x });
    const handle = await w.start(approvalDag);
    await waitForStatus(handle, (s) => s.nodes[1]!.state === 'waiting' && s.nodes[1]!.reason?.startsWith('awaiting approval'));
    const refusal = async (node: string): Promise<string> => {
      const err = await handle.executeUpdate(approvalUpdate, { args: [{ node, decision: 'approve' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return ((err as WorkflowUpdateFailedError).cause as Error).message;
    };
    expect(await refusal('publish')).toBe('node "publish" is not an approval node');
    expect(await refusal('nope')).toBe('no node "nope" in DAG approval');
    await handle.signal(approvalSignal, { node: 'approve', decision: 'approve' });
    await handle.result();
  });

  it('fails the run when rejected, with the reason', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { ok: rec.wrap('ok') });
    const handle = await w.start(approvalDag);
    await waitForStatus(handle, (s) => s.nodes[1]!.state === 'waiting' && s.nodes[1]!.reason?.startsWith('awaiting approval'));
    await handle.signal(approvalSignal, { node: 'approve', decision: 'reject', by: 'cfo', reason: 'over budget' });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).message).toBe('node "approve" failed: rejected by cfo: over budget');
    const node = (await handle.query(statusQuery)).nodes[1]!;
    expect(node).toMatchObject({ state: 'failed', error: { type: 'WeftApprovalRejected' } });
    expect(rec.order()).toEqual(['prepare']);
  });

  it('fails the node when nobody decides before the deadline', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { ok: rec.wrap('ok') });
    const handle = await w.start(approvalDag);
    const before = await env.currentTimeMs();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(DAY);
    const node = (await handle.query(statusQuery)).nodes[1]!;
    expect(node).toMatchObject({ state: 'failed', error: { type: 'WeftApprovalTimedOut' } });
  });
});
