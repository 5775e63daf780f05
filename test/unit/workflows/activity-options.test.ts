/** How a node's compiled call becomes Temporal activity options. */
import { describe, expect, it } from 'vitest';
import { compileRetryPolicy } from '@temporalio/common';
import { activityOptions } from '../../../src/workflows/activity-call';
import type { CompiledActivityCall } from '../../../src/dag/types';

function call(maximumAttempts: number): CompiledActivityCall {
  return {
    activity: 'noop',
    retry: { maximumAttempts, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 60_000, nonRetryableErrorTypes: [] },
    timeouts: { startToCloseMs: 30_000 },
  };
}

describe('activityOptions', () => {
  it('turns maximumAttempts: 0 (unlimited in the DAG format) into a retry policy the SDK accepts, without a limit', () => {
    const retry = activityOptions(call(0), 'a').retry!;
    expect(retry.maximumAttempts).toBeUndefined();
    expect(() => compileRetryPolicy(retry)).not.toThrow();
  });

  it('passes a positive maximumAttempts through', () => {
    expect(activityOptions(call(4), 'a').retry!.maximumAttempts).toBe(4);
  });
});
