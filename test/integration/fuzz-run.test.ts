/**
 * A sample of the fuzz suite's accepted definitions runs against the real dev
 * server: each completes, or fails with a node (or output) error that says
 * what went wrong. None hangs, and none takes the worker down.
 *
 * Activities are swapped for one that echoes its input, and the fields that
 * wait on people or clocks (approvals, ask, delay/at, other task queues) are
 * removed, so every run can finish within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { validateDag } from '../../src/dag/validate';
import { devServerEnv } from '../helpers/temporal';
import { dagWorker, Recorder } from '../helpers/dag';
import { exampleDefinitions, mutatedDefinition } from '../fuzz/arbitraries';
import { CORPUS } from '../fuzz/corpus';

const SAMPLE = 20;
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

type Json = Record<string, unknown>;

/** The definition, made runnable by one echo activity within seconds; undefined when it no longer validates. */
function runnable(dag: unknown): Json | undefined {
  if (!validateDag(dag).ok) return undefined;
  const d = structuredClone(dag) as Json;
  const defaults = (d.defaults ?? {}) as Json;
  delete defaults.taskQueue;
  defaults.retry = { maximumAttempts: 2, initialInterval: '100ms', maximumInterval: '100ms' };
  d.defaults = defaults;
  for (const n of (d.nodes as Json[]) ?? []) {
    if (n.type === 'approval') {
      delete n.type;
      delete n.timeout;
    }
    n.activity = 'step';
    for (const f of ['taskQueue', 'delay', 'at', 'notify', 'askTimeout', 'retry']) delete n[f];
    if (n.onError === 'ask' || n.onError === 'notify') n.onError = 'fail';
    if (n.compensate && typeof n.compensate === 'object') {
      const c = n.compensate as Json;
      c.activity = 'step';
      delete c.taskQueue;
      delete c.retry;
    }
  }
  return validateDag(d).ok ? d : undefined;
}

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('accepted fuzz cases on a real worker', () => {
  const bases = [...exampleDefinitions(), ...CORPUS.filter((c) => !/10,000|3,000/.test(c.name)).map((c) => c.dag() as Json)];
  const sample = fc
    .sample(mutatedDefinition(bases), { seed: SEED, numRuns: 2000 })
    .map(runnable)
    .filter((d): d is Json => d !== undefined && (d.nodes as unknown[]).length <= 50)
    .slice(0, SAMPLE);

  it(`has ${SAMPLE} accepted cases to run`, () => {
    expect(sample).toHaveLength(SAMPLE);
  });

  it('each completes or fails with a clear error, and the worker serves them all', async () => {
    const rec = new Recorder();
    const w = await dagWorker(env, { step: rec.wrap('step') });
    const outcomes = await Promise.all(
      sample.map(async (dag) => {
        const handle = await w.start(dag, { input: {} });
        try {
          await handle.result();
          return 'completed';
        } catch (err) {
          const where = `${String(dag.name)}: ${JSON.stringify(dag).slice(0, 300)}`;
          expect(err, where).toBeInstanceOf(WorkflowFailedError);
          const cause = (err as WorkflowFailedError).cause;
          expect(cause, where).toBeInstanceOf(ApplicationFailure);
          expect(['WeftNodeFailed', 'WeftExpressionFailed'], where).toContain((cause as ApplicationFailure).type);
          expect((cause as ApplicationFailure).message.length, where).toBeGreaterThan(10);
          return 'failed';
        }
      }),
    );
    expect(outcomes).toHaveLength(SAMPLE);
    // Not all mutations break the run: some of the sample must complete.
    expect(outcomes.filter((o) => o === 'completed').length).toBeGreaterThan(0);
  }, 240_000);
});
