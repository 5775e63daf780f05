/** The batch lane's retry rule: a job's first attempt failed in a batch; what its own policy says next. */
import { describe, expect, it } from 'vitest';
import type { CompiledActivityCall } from '../../../src/dag/types';
import { batchActivityOptions, batchEligible, retryAfterBatch } from '../../../src/workflows/jobs/batch';
import { compileJob } from '../../../src/workflows/jobs/spec';
import type { JobSpec } from '../../../src/workflows/jobs/types';

const call = (job: Record<string, unknown> = {}): CompiledActivityCall => compileJob({ queue: 'q', activity: 'noop', ...job }).call;
const spec = (c: CompiledActivityCall): JobSpec => ({ id: 'q/k', call: c, input: null, submittedAt: 0 });
const boom = { ok: false as const, error: { message: 'boom', type: 'Boom' } };

describe('retryAfterBatch', () => {
  it('waits the first backoff, then runs the rest of the policy: one attempt fewer, backoff from attempt 2', () => {
    const next = retryAfterBatch(call({ retry: { maximumAttempts: 5, initialInterval: '2s', backoffCoefficient: 3, maximumInterval: '1m' } }), boom);
    expect(next).toMatchObject({ retry: true, delayMs: 2000, call: { retry: { maximumAttempts: 4, initialIntervalMs: 6000, backoffCoefficient: 3, maximumIntervalMs: 60_000 } } });
  });

  it('keeps an unlimited policy unlimited and caps the backoff at the maximum interval', () => {
    const next = retryAfterBatch(call({ retry: { maximumAttempts: 0, initialInterval: '50s', backoffCoefficient: 2, maximumInterval: '1m' } }), boom);
    expect(next).toMatchObject({ retry: true, delayMs: 50_000, call: { retry: { maximumAttempts: 0, initialIntervalMs: 60_000 } } });
  });

  it("honours the failure's Retry-After as the first delay", () => {
    expect(retryAfterBatch(call(), { ...boom, retryDelayMs: 7000 })).toMatchObject({ retry: true, delayMs: 7000 });
  });

  it('does not retry a non-retryable failure, a listed type, or a policy of one attempt', () => {
    expect(retryAfterBatch(call(), { ...boom, nonRetryable: true })).toEqual({ retry: false });
    expect(retryAfterBatch(call({ retry: { nonRetryableErrorTypes: ['Boom'] } }), boom)).toEqual({ retry: false });
    expect(retryAfterBatch(call({ retry: { maximumAttempts: 1 } }), boom)).toEqual({ retry: false });
  });
});

describe('batch eligibility and options', () => {
  it('keeps jobs with schedule-to-close or schedule-to-start timeouts on the one-job lane', () => {
    expect(batchEligible(spec(call({ timeout: '10s' })))).toBe(true);
    expect(batchEligible(spec(call({ timeout: { startToClose: '10s', scheduleToClose: '1m' } })))).toBe(false);
    expect(batchEligible(spec(call({ timeout: { startToClose: '10s', scheduleToStart: '1m' } })))).toBe(false);
  });

  it("gives the batch one attempt and a timeout past its longest job's, so only a job's own timeout cuts it off", () => {
    const o = batchActivityOptions([spec(call({ timeout: '10s' })), spec(call({ timeout: '30s' }))], 2);
    expect(o).toMatchObject({ startToCloseTimeout: 40_000, retry: { maximumAttempts: 1 } });
  });
});
