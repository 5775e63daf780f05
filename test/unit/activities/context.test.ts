import { describe, expect, it } from 'vitest';
import { activityContext, idempotencyKey, type ActivityContext, idempotencyKeyOf, NotInActivityError, progress, type ProgressDetails } from '../../../src/activities';
import { activityEnv } from './support/activity-env';

describe('idempotencyKey()', () => {
  it('is <workflowId>/<activityId> for the running activity', async () => {
    const env = activityEnv({ workflowId: 'order-42', activityId: 'resize/7' });
    expect(await env.run(async () => idempotencyKey())).toBe('order-42/resize/7');
  });

  it('includes the /compensate suffix of a compensation activity id', async () => {
    const env = activityEnv({ workflowId: 'order-42', activityId: 'charge/compensate' });
    expect(await env.run(async () => idempotencyKey())).toBe('order-42/charge/compensate');
  });

  it('is the activity id alone for an activity not started by a workflow', () => {
    expect(idempotencyKeyOf({ activityId: 'standalone-1' })).toBe('standalone-1');
  });

  it('says where it can be used when called outside an activity', () => {
    expect(() => idempotencyKey()).toThrow(NotInActivityError);
    expect(() => idempotencyKey()).toThrow('idempotencyKey() can only be called while an activity runs');
  });
});

describe('progress()', () => {
  it('heartbeats { progress: { done, total, note } }', async () => {
    const env = activityEnv();
    const beats: ProgressDetails[] = [];
    env.on('heartbeat', (d: ProgressDetails) => beats.push(d));
    await env.run(async () => {
      progress(3, 10, 'resizing');
      progress(10, 10);
    });
    expect(beats).toEqual([{ progress: { done: 3, total: 10, note: 'resizing' } }, { progress: { done: 10, total: 10 } }]);
  });

  it.each([[-1, 10], [1, Number.NaN], [Number.POSITIVE_INFINITY, 1]])('rejects done=%s total=%s', async (done, total) => {
    await expect(activityEnv().run(async () => progress(done, total))).rejects.toThrow(RangeError);
  });
});

describe('the handler ctx', () => {
  it('carries the key, the logger, the cancellation signal and the info', async () => {
    const env = activityEnv({ workflowId: 'wf-ctx', activityId: 'n' });
    const ctx: ActivityContext = await env.run(async () => activityContext());
    expect(ctx.idempotencyKey).toBe('wf-ctx/n');
    expect(ctx.info.activityId).toBe('n');
    expect(typeof ctx.log.info).toBe('function');
    expect(ctx.signal.aborted).toBe(false);
    env.cancel();
    expect(ctx.signal.aborted).toBe(true);
  });
});
