/** What a run does when a node fails: fail-fast, continue, ignore, compensate; and cancel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { statusQuery } from '../../../src/workflows/messages';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder, waitForStatus } from '../../helpers/dag';
import { gate, heartbeatUntilCancelled, nonRetryable } from '../../helpers/activities';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('a failing node', () => {
  it('fails the run at once under fail-fast, naming the node, cancelling siblings in flight and skipping the rest', async () => {
    const rec = new Recorder();
    const cancelled: string[] = [];
    const w = await dagWorker(env, {
      boom: rec.wrap('boom', async (input) => {
        await new Promise((r) => setTimeout(r, 300));
        return nonRetryable(input as null);
      }),
      long: rec.wrap('long', heartbeatUntilCancelled(() => cancelled.push('long'))),
      ok: rec.wrap('ok'),
    });
    const handle = await w.start({
      name: 'fail-fast',
      nodes: [
        // Remote: a remote sibling is scheduled only when the workflow task of a local node's activity closes,
        // so with a local 'bad' the sibling would be cancelled before it ever started (docs/dag-format.md).
        { id: 'bad', activity: 'boom', input: { message: 'card declined' }, mode: 'remote' },
        { id: 'sibling', activity: 'long', timeout: { startToClose: '1m', heartbeat: '1s' } },
        { id: 'next', activity: 'ok', after: ['bad'] },
      ],
    });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('WeftNodeFailed');
    expect(failure.message).toBe('node "bad" failed: card declined');
    const status = await handle.query(statusQuery);
    expect(Object.fromEntries(status.nodes.map((n) => [n.id, n.state]))).toEqual({ bad: 'failed', sibling: 'cancelled', next: 'skipped' });
    expect(status.nodes.find((n) => n.id === 'bad')!.error).toEqual({ message: 'card declined', type: 'Boom' });
    expect(status.state).toBe('failed');
    // A non-retryable error is attempted once.
    expect(rec.callsOf('bad')).toHaveLength(1);
    expect(rec.order()).not.toContain('next');
    await expect.poll(() => cancelled).toEqual(['long']);
  });

  it('runs everything that can still run under onFailure: continue, then fails the run', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { boom: rec.wrap('boom', nonRetryable), ok: rec.wrap('ok') });
    const handle = await w.start({
      name: 'continue',
      onFailure: 'continue',
      nodes: [
        { id: 'bad', activity: 'boom' },
        { id: 'independent', activity: 'ok' },
        { id: 'after_independent', activity: 'ok', after: ['independent'] },
        { id: 'after_bad', activity: 'ok', after: ['bad'] },
      ],
    });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('WeftNodeFailed');
    expect(rec.order().sort()).toEqual(['after_independent', 'bad', 'independent']);
    const status = await handle.query(statusQuery);
    expect(status.nodes.find((n) => n.id === 'after_bad')!.state).toBe('skipped');
  });

  it('with onError: ignore, records the error and continues as if it succeeded with a null output', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { boom: rec.wrap('boom', nonRetryable), ok: rec.wrap('ok') });
    const handle = await w.start({
      name: 'ignore',
      nodes: [
        { id: 'optional', activity: 'boom', onError: 'ignore', input: { message: 'thumbnail service down' } },
        { id: 'next', activity: 'ok', after: ['optional'], input: { previous: '{{ nodes.optional.output }}' } },
      ],
    });
    expect(await handle.result()).toEqual({ next: { previous: null } });
    const optional = (await handle.query(statusQuery)).nodes.find((n) => n.id === 'optional')!;
    expect(optional).toMatchObject({ state: 'succeeded', ignoredError: true, error: { message: 'thumbnail service down', type: 'Boom' } });
  });
});

describe('compensation (onFailure: compensate)', () => {
  it('undoes completed nodes in reverse topological order, each with its own output, then fails the run', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, {
      reserve: rec.wrap('reserve', async (input: { what: string }) => ({ reservation: `${input.what}-1` })),
      release: rec.wrap('release'),
      charge: rec.wrap('charge', nonRetryable),
    });
    const handle = await w.start({
      name: 'saga',
      onFailure: 'compensate',
      nodes: [
        { id: 'stock', activity: 'reserve', input: { what: 'stock' }, compensate: { activity: 'release', input: { undo: '{{ nodes.stock.output.reservation }}' } } },
        { id: 'seat', activity: 'reserve', after: ['stock'], input: { what: 'seat' }, compensate: { activity: 'release', input: { undo: '{{ nodes.seat.output.reservation }}' } } },
        { id: 'pay', activity: 'charge', after: ['seat'], compensate: { activity: 'release', input: { undo: 'payment' } } },
      ],
    });
    const failure = await failureOf(handle.result());
    expect(failure.message).toContain('node "pay" failed');
    const releases = rec.calls.filter((c) => c.activity === 'release');
    // The failed node had nothing to undo; the others are undone newest first.
    expect(releases.map((c) => [c.activityId, c.input])).toEqual([
      ['seat/compensate', { undo: 'seat-1' }],
      ['stock/compensate', { undo: 'stock-1' }],
    ]);
    const status = await handle.query(statusQuery);
    expect(status.nodes.find((n) => n.id === 'seat')!.compensation).toEqual({ state: 'succeeded' });
  });
});

describe('cancelling a run', () => {
  it('cancels the activities in flight and ends the run as cancelled', async () => {
    const rec = new Recorder();
    const cancelled: string[] = [];
    const w = await dagWorker(env, {
      long: rec.wrap('long', heartbeatUntilCancelled(() => cancelled.push('long'))),
      ok: rec.wrap('ok'),
    });
    const handle = await w.start({
      name: 'cancel-me',
      nodes: [
        { id: 'work', activity: 'long', timeout: { startToClose: '1m', heartbeat: '1s' } },
        { id: 'after', activity: 'ok', after: ['work'] },
      ],
    });
    await waitForStatus(handle, (s) => s.nodes[0]!.state === 'running');
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    await expect.poll(() => cancelled).toEqual(['long']);
    const status = await handle.query(statusQuery);
    expect(status.state).toBe('cancelled');
    expect(Object.fromEntries(status.nodes.map((n) => [n.id, n.state]))).toEqual({ work: 'cancelled', after: 'cancelled' });
    expect(rec.order()).toEqual(['work']);
  });
});

describe('status query', () => {
  it('reports each node state, attempts and times while the run is in flight', async () => {
    const g = gate();
    const w = await dagWorker(env, { ok: async (x: unknown) => x, hold: async () => g.wait().then(() => 'released') });
    const handle = await w.start({
      name: 'observe',
      nodes: [
        { id: 'first', activity: 'ok', input: 1 },
        { id: 'held', activity: 'hold', after: ['first'] },
        { id: 'last', activity: 'ok', after: ['held'] },
      ],
    });
    const mid = await waitForStatus(handle, (s) => (s.nodes[1]!.state === 'running' ? s : undefined));
    expect(mid.state).toBe('running');
    expect(mid.dag).toBe('observe');
    expect(mid.counts).toMatchObject({ succeeded: 1, running: 1, pending: 1 });
    const [first, held, last] = mid.nodes;
    expect(first).toMatchObject({ id: 'first', state: 'succeeded', attempts: 1 });
    expect(Date.parse(first!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(first!.startedAt!));
    expect(held).toMatchObject({ id: 'held', state: 'running' });
    expect(held!.startedAt).toBeDefined();
    expect(held!.endedAt).toBeUndefined();
    expect(last).toEqual({ id: 'last', state: 'pending', mode: 'local' });
    g.release();
    expect(await handle.result()).toEqual({ last: null });
  });
});
