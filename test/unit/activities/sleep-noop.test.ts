import { describe, expect, it } from 'vitest';
import { CancelledFailure } from '@temporalio/common';
import { noop, sleep, type ProgressDetails } from '../../../src/activities';
import { activityEnv, rejectionOf } from './support/activity-env';

describe('noop', () => {
  it.each([{ a: 1, list: [1, 2] }, 'text', null, undefined])('returns its input %j unchanged', async (input) => {
    expect(await activityEnv().run(noop.run, input)).toEqual(input);
  });
});

describe('sleep', () => {
  it('waits the given time, reporting progress to the end', async () => {
    const env = activityEnv();
    const beats: ProgressDetails[] = [];
    env.on('heartbeat', (d: ProgressDetails) => beats.push(d));
    const out: { sleptMs: number } = await env.run(sleep.run, { ms: '20ms' });
    expect(out.sleptMs).toBeGreaterThanOrEqual(20);
    expect(beats[0]).toEqual({ progress: { done: 0, total: 20, note: 'sleeping' } });
    expect(beats.at(-1)).toEqual({ progress: { done: 20, total: 20, note: 'done' } });
  });

  it('stops as soon as the activity is cancelled', async () => {
    const env = activityEnv();
    env.once('heartbeat', () => env.cancel());
    expect(await rejectionOf(env.run(sleep.run, { ms: '1h' }))).toBeInstanceOf(CancelledFailure);
  });

  it('rejects a duration it cannot read', async () => {
    await expect(activityEnv().run(sleep.run, { ms: 'forever' })).rejects.toMatchObject({ type: 'WeftInvalidActivityInput', nonRetryable: true });
  });
});
