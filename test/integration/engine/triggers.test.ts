/** Trigger rules and `when` conditions, with skips propagating downstream. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { statusQuery } from '../../../src/workflows/messages';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder, type DagWorker } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
let rec: Recorder;
let w: DagWorker;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function setup(): Promise<void> {
  rec = new Recorder();
  w = await dagWorker(env, {
    ok: rec.wrap('ok'),
    boom: rec.wrap('boom', async () => {
      throw ApplicationFailure.nonRetryable('boom', 'Boom');
    }),
  });
}

/** Runs a DAG under `onFailure: continue` and returns each node's final state. */
async function states(nodes: unknown[], input?: unknown): Promise<Record<string, string>> {
  const handle = await w.start({ name: 'triggers', onFailure: 'continue', nodes }, { input });
  await handle.result().catch(() => undefined);
  const status = await handle.query(statusQuery);
  return Object.fromEntries(status.nodes.map((n) => [n.id, n.state]));
}

const ok = (id: string, after: string[] = [], extra: object = {}) => ({ id, activity: 'ok', after, ...extra });
const boom = (id: string, after: string[] = []) => ({ id, activity: 'boom', after });

describe('trigger rules', () => {
  it('all-success runs after every upstream succeeded, and is skipped when one failed or was skipped', async () => {
    await setup();
    expect(await states([ok('a'), ok('b'), ok('c', ['a', 'b'])])).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded' });
    expect(await states([ok('a'), boom('b'), ok('c', ['a', 'b']), ok('d', ['c'])])).toEqual({ a: 'succeeded', b: 'failed', c: 'skipped', d: 'skipped' });
  });

  it('all-done runs once every upstream finished, whatever its state', async () => {
    await setup();
    expect(await states([ok('a'), boom('b'), ok('cleanup', ['a', 'b'], { trigger: 'all-done' })])).toEqual({ a: 'succeeded', b: 'failed', cleanup: 'succeeded' });
  });

  it('one-success runs when any upstream succeeded, and is skipped when none did', async () => {
    await setup();
    expect(await states([ok('a'), boom('b'), ok('c', ['a', 'b'], { trigger: 'one-success' })])).toMatchObject({ c: 'succeeded' });
    expect(await states([boom('a'), boom('b'), ok('c', ['a', 'b'], { trigger: 'one-success' })])).toMatchObject({ c: 'skipped' });
  });

  it('one-success starts as soon as the first upstream succeeds, without waiting for the others', async () => {
    await setup();
    const slowRec = rec;
    w = await dagWorker(env, {
      ok: slowRec.wrap('ok'),
      slow: slowRec.wrap('slow', async () => new Promise((r) => setTimeout(() => r('late'), 1500))),
    });
    await states([ok('fast'), { id: 'slow', activity: 'slow' }, ok('first', ['fast', 'slow'], { trigger: 'one-success' })]);
    // `first` started while `slow` was still running.
    expect(slowRec.events.indexOf('start:first')).toBeGreaterThan(-1);
    expect(slowRec.events.indexOf('start:first')).toBeLessThan(slowRec.events.indexOf('end:slow'));
  });

  it('one-failed runs when any upstream failed (an error handler), and is skipped when none failed', async () => {
    await setup();
    expect(await states([ok('a'), boom('b'), ok('alert', ['a', 'b'], { trigger: 'one-failed' })])).toMatchObject({ alert: 'succeeded' });
    expect(await states([ok('a'), ok('b'), ok('alert', ['a', 'b'], { trigger: 'one-failed' })])).toMatchObject({ alert: 'skipped' });
  });

  it('none-failed runs when upstreams succeeded or were skipped, and is skipped when one failed', async () => {
    await setup();
    expect(await states([ok('a'), ok('b', [], { when: 'false' }), ok('c', ['a', 'b'], { trigger: 'none-failed' })])).toEqual({ a: 'succeeded', b: 'skipped', c: 'succeeded' });
    expect(await states([ok('a'), boom('b'), ok('c', ['a', 'b'], { trigger: 'none-failed' })])).toMatchObject({ c: 'skipped' });
  });
});

describe('when conditions', () => {
  it('skips a node whose condition is false and propagates the skip through all-success', async () => {
    await setup();
    const result = await states(
      [ok('check', [], { input: { n: '{{ input.n }}' } }), ok('big', ['check'], { when: '{{ nodes.check.output.n > 10 }}' }), ok('after_big', ['big']), ok('small', ['check'], { when: 'nodes.check.output.n <= 10' })],
      { n: 3 },
    );
    expect(result).toEqual({ check: 'succeeded', big: 'skipped', after_big: 'skipped', small: 'succeeded' });
    expect(rec.order()).not.toContain('big');
  });

  it('records why a node was skipped', async () => {
    await setup();
    const handle = await w.start({ name: 'why', nodes: [ok('a', [], { when: 'false' }), ok('b', ['a'])] });
    await handle.result();
    const status = await handle.query(statusQuery);
    expect(status.nodes.find((n) => n.id === 'a')!.reason).toBe('condition is false: false');
    expect(status.nodes.find((n) => n.id === 'b')!.reason).toBe('an upstream node was skipped (trigger all-success)');
  });
});
