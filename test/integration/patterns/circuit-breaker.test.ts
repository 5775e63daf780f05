/** A circuit breaker trips across runs and then fails attempts fast without calling the dependency. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CircuitBreakers } from '../../../src/workers/circuit-breaker';
import { createActivityInterceptor } from '../../../src/workers/interceptors';
import { statusQuery } from '../../../src/workflows/messages';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('circuit breaker per activity type', () => {
  it('after 3 consecutive failures in one run, the next run fails fast with WeftCircuitOpen and the dependency is not called', async () => {
    let calls = 0;
    const breakers = new CircuitBreakers({ 'dep.call': { failureThreshold: 3, coolDownMs: 60_000 } });
    const w = await dagWorker(
      env,
      {
        'dep.call': async () => {
          calls++;
          throw new Error('connection refused');
        },
      },
      { interceptors: { activity: [createActivityInterceptor({ breakers })] } },
    );
    const dag = (attempts: number) => ({ name: 'breaker', nodes: [{ id: 'call', activity: 'dep.call', retry: { maximumAttempts: attempts, initialInterval: '50ms' } }] });

    const first = await w.start(dag(3));
    await expect(first.result()).rejects.toThrow();
    expect(calls).toBe(3);
    expect(breakers.snapshot()).toEqual({ 'dep.call': { failures: 3, open: true } });

    const second = await w.start(dag(1));
    await expect(second.result()).rejects.toThrow();
    expect(calls).toBe(3);
    const node = (await second.query(statusQuery)).nodes[0]!;
    expect(node.error?.type).toBe('WeftCircuitOpen');
    expect(node.error?.message).toMatch(/^circuit open for dep\.call after 3 consecutive failures/);
  });
});
