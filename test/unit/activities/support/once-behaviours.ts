/**
 * What once() guarantees, whatever the store. Run against SQLite
 * (test/unit/activities/once.test.ts) and PostgreSQL
 * (test/integration/activities/once-postgres.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { once, type IdempotencyStore } from '../../../../src/activities';
import { rejectionOf } from './activity-env';

export interface StoreFactory {
  /** A new store instance over the same storage, as another worker process would open it. */
  open(): Promise<IdempotencyStore>;
}

/** A promise to resolve from outside, to hold a function mid-run without waiting on the clock. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function describeOnceBehaviours(name: string, factory: StoreFactory): void {
  describe(`once() with ${name}`, () => {
    const opened: IdempotencyStore[] = [];
    const open = async (): Promise<IdempotencyStore> => {
      const store = await factory.open();
      opened.push(store);
      return store;
    };
    const key = (): string => `wf-${randomUUID()}/charge`;

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('runs fn on the first call and returns its result', async () => {
      const store = await open();
      let calls = 0;
      expect(await once(key(), () => ({ chargeId: 'ch_1', calls: ++calls }), { store })).toEqual({ chargeId: 'ch_1', calls: 1 });
    });

    it('returns the stored result on repeats without running fn again', async () => {
      const store = await open();
      const k = key();
      let calls = 0;
      const fn = async (): Promise<{ n: number }> => ({ n: ++calls });
      const first = await once(k, fn, { store });
      expect(await once(k, fn, { store })).toEqual(first);
      expect(await once(k, fn, { store })).toEqual(first);
      expect(calls).toBe(1);
      expect(await store.get(k)).toMatchObject({ state: 'succeeded', resultJson: '{"n":1}', attempts: 1 });
    });

    it('stores results as JSON, and returns the JSON form on the first call too', async () => {
      const store = await open();
      const when = new Date('2030-01-02T03:04:05.000Z');
      expect(await once(key(), () => ({ when, list: [1, 'two', null], nested: { ok: true } }), { store })).toEqual({
        when: '2030-01-02T03:04:05.000Z',
        list: [1, 'two', null],
        nested: { ok: true },
      });
      const k = key();
      expect(await once(k, () => undefined, { store })).toBeUndefined();
      expect(await once(k, () => 'not run', { store })).toBeUndefined();
      const n = key();
      expect(await once(n, () => null, { store })).toBeNull();
      expect(await once(n, () => 'not run', { store })).toBeNull();
    });

    it('runs fn once when two callers on two store connections race for the same key', async () => {
      const [a, b] = [await open(), await open()];
      const k = key();
      const started = deferred();
      const release = deferred();
      let calls = 0;
      const fn = async (): Promise<string> => {
        calls++;
        started.resolve();
        await release.promise;
        return `result-${calls}`;
      };
      const first = once(k, fn, { store: a });
      await started.promise;
      // The second caller finds a live claim and waits for the result.
      const second = once(k, fn, { store: b, waitMs: 30_000 });
      release.resolve();
      expect(await Promise.all([first, second])).toEqual(['result-1', 'result-1']);
      expect(calls).toBe(1);
    });

    it('fails retryably with WeftIdempotencyBusy while another attempt holds a live claim, without running fn', async () => {
      const store = await open();
      const k = key();
      await store.claim(k, 'another-worker', 60_000);
      let calls = 0;
      const err = await rejectionOf(once(k, () => ++calls, { store, waitMs: 0 }));
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: 'WeftIdempotencyBusy', nonRetryable: false });
      expect((err as Error).message).toContain(k);
      expect(calls).toBe(0);
    });

    it('takes over a claim whose lease has expired (its worker died)', async () => {
      const store = await open();
      const k = key();
      await store.claim(k, 'dead-worker', 0);
      expect(await once(k, () => 'recovered', { store, waitMs: 0 })).toBe('recovered');
      expect(await store.get(k)).toMatchObject({ state: 'succeeded', attempts: 2 });
    });

    it('records a failure instead of storing it, so the next call runs fn again', async () => {
      const store = await open();
      const k = key();
      const boom = new Error('card declined');
      expect(await rejectionOf(once(k, () => Promise.reject(boom), { store }))).toBe(boom);
      expect(await store.get(k)).toMatchObject({ state: 'failed', error: { message: 'card declined', type: 'Error' } });
      let calls = 0;
      expect(await once(k, () => ({ ok: ++calls }), { store })).toEqual({ ok: 1 });
      expect(await store.get(k)).toMatchObject({ state: 'succeeded', attempts: 2 });
    });

    it('keeps results across reopening the store', async () => {
      const k = key();
      const first = await open();
      await once(k, () => ({ id: 'kept' }), { store: first });
      await first.close();
      const reopened = await open();
      let calls = 0;
      expect(await once(k, () => ({ id: `new-${++calls}` }), { store: reopened })).toEqual({ id: 'kept' });
      expect(calls).toBe(0);
    });

    it('runs fn again after the key is deleted', async () => {
      const store = await open();
      const k = key();
      await once(k, () => 1, { store });
      expect(await store.delete(k)).toBe(true);
      expect(await once(k, () => 2, { store })).toBe(2);
    });

    it('keeps the first stored result when a taken-over attempt finishes later', async () => {
      const store = await open();
      const k = key();
      await store.claim(k, 'slow-worker', 0);
      await once(k, () => 'winner', { store });
      expect(await store.succeed(k, 'slow-worker', JSON.stringify('late'))).toEqual({ resultJson: '"winner"' });
    });
  });
}
