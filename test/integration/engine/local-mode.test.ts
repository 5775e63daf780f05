/**
 * Nodes in `mode: local` on the dev server: they run as local activities
 * (marker events, no activity tasks), keep the node's idempotency key and
 * attempt count, retry with backoff (a long backoff as a durable timer),
 * time out, stop when the run is cancelled, and follow their onError policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { builtinActivities, ActivityRegistry } from '../../../src/activities';
import { statusQuery, resolveFailureUpdate } from '../../../src/workflows/messages';
import { LOCAL_RETRY_THRESHOLD_MS } from '../../../src/workflows/activity-call';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder, waitForStatus, type ActivityFn } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const builtins = new ActivityRegistry(builtinActivities()).toWorkerActivities() as Record<string, ActivityFn>;

type EventKind = 'markerRecordedEventAttributes' | 'activityTaskScheduledEventAttributes' | 'timerStartedEventAttributes';

/** How many events of each kind the run's history holds. */
async function events(handle: WorkflowHandle): Promise<Record<EventKind, number>> {
  const out: Record<EventKind, number> = { markerRecordedEventAttributes: 0, activityTaskScheduledEventAttributes: 0, timerStartedEventAttributes: 0 };
  for (const e of (await handle.fetchHistory()).events ?? []) for (const k of Object.keys(out) as EventKind[]) if (e[k]) out[k]++;
  return out;
}

/** Fails with a retryable error until the call with this attempt number. */
const flakyUntil = (rec: Recorder, name: string, succeedAt: number): ActivityFn =>
  rec.wrap(name, async (input: unknown) => {
    const attempt = Context.current().info.attempt;
    if (attempt < succeedAt) throw ApplicationFailure.retryable(`attempt ${attempt} failed`, 'Transient');
    return input;
  });

describe('mode: local', () => {
  it('runs a DAG as local activities: no activity tasks, node keys and attempts as in remote mode, mode in the status', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { step: rec.wrap('step', async (x: { n: number }) => ({ n: x.n + 1 })) });
    const handle = await w.start({
      name: 'local-chain',
      nodes: [
        { id: 'a', activity: 'step', input: { n: 1 } },
        { id: 'b', activity: 'step', after: ['a'], input: { n: '{{ nodes.a.output.n }}' } },
        { id: 'each', activity: 'step', after: ['b'], map: { items: [10, 20] }, input: { n: '{{ item }}' } },
        { id: 'far', activity: 'step', after: ['each'], input: { n: 0 }, mode: 'remote' },
      ],
    });
    expect(await handle.result()).toEqual({ far: { n: 1 } });
    const status = await handle.query(statusQuery);
    expect(status.nodes.map((n) => [n.id, n.mode, n.state, n.attempts])).toEqual([
      ['a', 'local', 'succeeded', 1],
      ['b', 'local', 'succeeded', 1],
      ['each', 'local', 'succeeded', 1],
      ['far', 'remote', 'succeeded', 1],
    ]);
    expect(rec.calls.map((c) => c.key)).toEqual(['a', 'b', 'each/0', 'each/1', 'far'].map((id) => `${handle.workflowId}/${id}`));
    const kinds = await events(handle);
    // Only the remote node is an activity task; the four local calls are markers (plus the two patch markers).
    expect(kinds.activityTaskScheduledEventAttributes).toBe(1);
    expect(kinds.markerRecordedEventAttributes).toBe(6);
  });

  it('retries with backoff inside the worker, under the local retry threshold, and reports the attempts', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { flaky: flakyUntil(rec, 'flaky', 3) });
    const handle = await w.start({ name: 'local-retry', nodes: [{ id: 'f', activity: 'flaky', input: 'x', mode: 'local', retry: { maximumAttempts: 5, initialInterval: '100ms' } }] });
    expect(await handle.result()).toEqual({ f: 'x' });
    expect(rec.callsOf('f').map((c) => [c.attempt, c.key])).toEqual([1, 2, 3].map((a) => [a, `${handle.workflowId}/f`]));
    expect((await handle.query(statusQuery)).nodes[0]).toMatchObject({ state: 'succeeded', attempts: 3, mode: 'local' });
    expect((await events(handle)).timerStartedEventAttributes).toBe(0);
  });

  it('waits out a backoff past the local retry threshold on a durable timer, and answers the status query meanwhile', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { flaky: flakyUntil(rec, 'flaky', 2) });
    const backoff = `${LOCAL_RETRY_THRESHOLD_MS + 1000}ms`;
    const handle = await w.start({ name: 'local-long-backoff', nodes: [{ id: 'f', activity: 'flaky', input: 'y', mode: 'local', retry: { maximumAttempts: 2, initialInterval: backoff } }] });
    // During the timer the workflow task is closed, so the query is answered: the node is running.
    const during = await waitForStatus(handle, (s) => rec.calls.length === 1 && s.nodes[0]!.state === 'running' && s.nodes[0]);
    expect(during).toMatchObject({ mode: 'local', state: 'running' });
    expect(await handle.result()).toEqual({ f: 'y' });
    expect(rec.callsOf('f').map((c) => c.attempt)).toEqual([1, 2]);
    expect((await handle.query(statusQuery)).nodes[0]).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect((await events(handle)).timerStartedEventAttributes).toBe(1);
  });

  it('times out after its startToClose (each attempt) and fails the node with a timeout error', async () => {
    const w = await dagWorker(env, { slow: async () => new Promise((r) => setTimeout(r, 3000)) });
    const handle = await w.start({ name: 'local-timeout', nodes: [{ id: 's', activity: 'slow', mode: 'local', timeout: '300ms', retry: { maximumAttempts: 2, initialInterval: '50ms' } }] });
    await expect(handle.result()).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^node "s" failed: activity timed out/) } });
    const node = (await handle.query(statusQuery)).nodes[0]!;
    expect(node).toMatchObject({ state: 'failed', mode: 'local', error: { type: 'ActivityTimeout' } });
  });

  it('is cancelled with the run: the activity sees the cancellation and the node ends cancelled', async () => {
    let started = false;
    let aborted = false;
    const w = await dagWorker(env, {
      wait: async () => {
        started = true;
        const signal = Context.current().cancellationSignal;
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        aborted = true;
        throw signal.reason;
      },
    });
    const handle = await w.start({ name: 'local-cancel', nodes: [{ id: 'w', activity: 'wait', mode: 'local', timeout: '1m' }, { id: 'next', activity: 'wait', after: ['w'] }] });
    await expect.poll(() => started, { timeout: 20_000 }).toBe(true);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(aborted).toBe(true);
    const status = await handle.query(statusQuery);
    expect(status.nodes.map((n) => [n.id, n.state])).toEqual([
      ['w', 'cancelled'],
      ['next', 'cancelled'],
    ]);
  });

  it('follows onError: ignore and onError: ask (retry) like a remote node', async () => {
    const rec = new Recorder();
    let broken = true;
    const w = await dagWorker(env, {
      fail: rec.wrap('fail', async () => {
        throw ApplicationFailure.nonRetryable('no', 'Nope');
      }),
      fix: rec.wrap('fix', async () => {
        if (broken) throw ApplicationFailure.nonRetryable('still broken', 'Broken');
        return 'fixed';
      }),
    });
    const handle = await w.start({
      name: 'local-policies',
      nodes: [
        { id: 'ignored', activity: 'fail', mode: 'local', onError: 'ignore' },
        { id: 'asked', activity: 'fix', mode: 'local', after: ['ignored'], onError: 'ask' },
      ],
    });
    await waitForStatus(handle, (s) => s.nodes[1]!.state === 'waiting' && s.nodes[1]!.error);
    broken = false;
    await handle.executeUpdate(resolveFailureUpdate, { args: [{ node: 'asked', action: 'retry', by: 'test' }] });
    expect(await handle.result()).toEqual({ asked: 'fixed' });
    const status = await handle.query(statusQuery);
    expect(status.nodes[0]).toMatchObject({ state: 'succeeded', ignoredError: true, error: { message: 'no', type: 'Nope' }, mode: 'local' });
    expect(status.nodes[1]).toMatchObject({ state: 'succeeded', mode: 'local' });
    expect(rec.callsOf('asked').map((c) => c.key)).toEqual([`${handle.workflowId}/asked`, `${handle.workflowId}/asked`]);
  });

  it('runs a built-in that heartbeats (sleep) when asked to, though its heartbeats go nowhere', async () => {
    const w = await dagWorker(env, builtins);
    const handle = await w.start({ name: 'local-sleep', nodes: [{ id: 'nap', activity: 'sleep', mode: 'local', input: { ms: 1200 } }] });
    await handle.result();
    expect((await handle.query(statusQuery)).nodes[0]).toMatchObject({ state: 'succeeded', mode: 'local' });
  });
});
