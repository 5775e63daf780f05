/** The start gate's bounds (src/api/admission.ts), and their settings in the config. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_START_LIMITS, StartGate, StartRefusedError } from '../../../src/api/admission';
import { loadConfig } from '../../../src/config/load';

const settle = (p: Promise<unknown>): Promise<string> => p.then(() => 'admitted', (e: unknown) => (e instanceof StartRefusedError ? e.reason : `other: ${String(e)}`));

afterEach(() => {
  vi.useRealTimers();
});

describe('StartGate', () => {
  it('admits up to maxInFlight at once, then admits waiting starts in arrival order as slots free', async () => {
    const gate = new StartGate({ maxInFlight: 2, maxQueued: 5 });
    const first = await gate.acquire();
    await gate.acquire();
    const order: string[] = [];
    // Each waiting start finishes as soon as it is admitted, which admits the next.
    const waiting = ['c', 'd', 'e'].map((name) => gate.acquire().then((release) => (order.push(name), release())));
    expect({ inFlight: gate.inFlight, queued: gate.queued }).toEqual({ inFlight: 2, queued: 3 });
    first();
    await Promise.all(waiting);
    expect(order).toEqual(['c', 'd', 'e']);
    expect(gate.queued).toBe(0);
  });

  it('refuses at once when the queue is full, naming the settings', async () => {
    const gate = new StartGate({ maxInFlight: 1, maxQueued: 1 });
    await gate.acquire();
    void gate.acquire();
    const refused = await gate.acquire('order-7').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StartRefusedError);
    expect(refused).toMatchObject({ reason: 'queue_full', id: 'order-7' });
    expect((refused as Error).message).toMatch(/api\.starts\.maxInFlight.*api\.starts\.maxQueued/);
    expect((refused as StartRefusedError).toApiError().toBody().error).toMatchObject({ code: 'overloaded', retryable: true, mayExist: false, id: 'order-7' });
    expect((refused as StartRefusedError).toApiError().headers).toHaveProperty('retry-after');
  });

  it('refuses a waiting start when no slot frees within maxQueueWaitMs, and frees its place in the queue', async () => {
    vi.useFakeTimers();
    const gate = new StartGate({ maxInFlight: 1, maxQueued: 1, maxQueueWaitMs: 500 });
    const release = await gate.acquire();
    const waited = settle(gate.acquire());
    await vi.advanceTimersByTimeAsync(500);
    expect(await waited).toBe('queue_wait');
    expect(gate.queued).toBe(0);
    release();
    expect(gate.inFlight).toBe(0);
  });

  it('with maxQueued 0, refuses every start that finds no free slot', async () => {
    const gate = new StartGate({ maxInFlight: 1, maxQueued: 0 });
    await gate.acquire();
    expect(await settle(gate.acquire())).toBe('queue_full');
  });

  it('frees a slot once however often its release is called', async () => {
    const gate = new StartGate({ maxInFlight: 2, maxQueued: 0 });
    const release = await gate.acquire();
    await gate.acquire();
    release();
    release();
    expect(gate.inFlight).toBe(1);
  });

  it.each([
    [{ maxInFlight: 0 }, /api\.starts\.maxInFlight: expected an integer >= 1, got 0/],
    [{ maxQueued: -1 }, /api\.starts\.maxQueued: expected an integer >= 0, got -1/],
    [{ maxQueueWaitMs: 1.5 }, /api\.starts\.maxQueueWaitMs: expected an integer >= 1, got 1\.5/],
  ])('rejects the bounds %o', (limits, message) => {
    expect(() => new StartGate(limits)).toThrow(message);
  });
});

describe('api.starts in the config', () => {
  it("defaults to the gate's own defaults", () => {
    expect(loadConfig({ env: {}, cwd: '/nonexistent' }).api.starts).toEqual(DEFAULT_START_LIMITS);
  });

  it('reads each bound from its environment variable', () => {
    const env = { WEFT_API_MAX_STARTS_IN_FLIGHT: '8', WEFT_API_MAX_STARTS_QUEUED: '0', WEFT_API_START_QUEUE_WAIT_MS: '250' };
    expect(loadConfig({ env, cwd: '/nonexistent' }).api.starts).toEqual({ maxInFlight: 8, maxQueued: 0, maxQueueWaitMs: 250 });
  });

  it('names the variable of a bad bound', () => {
    expect(() => loadConfig({ env: { WEFT_API_MAX_STARTS_IN_FLIGHT: '0' }, cwd: '/nonexistent' })).toThrow(/api\.starts\.maxInFlight \(env WEFT_API_MAX_STARTS_IN_FLIGHT\)/);
  });
});
