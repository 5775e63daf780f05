/**
 * Issue 8, item 1: an expression that recurses without end used to abort the
 * worker process ("async hook stack has become corrupted"), and every worker
 * that picked the run up after it. Now each evaluation is bounded in depth and
 * steps: the expression fails its node (or, for `output`, the run), and the
 * same worker goes on to run another DAG.
 *
 * Issue 10: the abort was the SDK's 5 s isolate timeout firing mid-activation,
 * reached so soon because of the per-promise stack capture. These runs use
 * Weft's default, capture off, where the step bound is 10× what it was; on a
 * worker with capture on, an evaluation past the lower bound fails the
 * workflow task instead (the node's outcome must not depend on the worker),
 * the worker lives, and a worker with capture off finishes the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { EXPRESSION_LIMITS } from '../../../src/dag/limits';
import { statusQuery } from '../../../src/workflows/messages';
import { withWorkflowStackTraces } from '../../../src/workers/stack-traces';
import { devServerEnv } from '../../helpers/temporal';
import { dagWorker, Recorder, type ActivityFn, type DagWorker } from '../../helpers/dag';

/** The definition from the issue: self-application, in tail position, so it loops rather than nests. */
const LOOP = 'function($x){$x($x)}(function($x){$x($x)})';
/** Recursion that is not a tail call: it nests until the depth bound. */
const DEEP = '($f := function($n){ 1 + $f($n + 1) }; $f(0))';

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

/** A worker as `weft worker` makes it by default: workflow stack traces off. */
async function weftDefaultWorker(activities: Record<string, ActivityFn>, taskQueue?: string): Promise<DagWorker> {
  const { value, state } = await withWorkflowStackTraces(false, () => dagWorker(env, activities, taskQueue ? { taskQueue } : {}));
  expect(state).toBe('off');
  return value;
}

/** After a hostile run, the worker that ran it still runs DAGs to success. */
async function expectWorkerAlive(w: DagWorker, rec: Recorder): Promise<void> {
  const handle = await w.start({ name: 'after-hostile', nodes: [{ id: 'fine', activity: 'step', input: { n: '{{ 1 + 1 }}' } }] });
  await expect(handle.result()).resolves.toEqual({ fine: { n: 2 } });
  expect(rec.callsOf('fine')).toHaveLength(1);
}

const nodeCases: Array<{ field: string; expr: string; node: Record<string, unknown> }> = [
  { field: 'when', expr: LOOP, node: { when: `{{ ${LOOP} }}` } },
  { field: 'when', expr: DEEP, node: { when: `{{ ${DEEP} }}` } },
  { field: 'input', expr: LOOP, node: { input: { x: `{{ ${LOOP} }}` } } },
  { field: 'map.items', expr: LOOP, node: { map: { items: `{{ ${LOOP} }}` } } },
  { field: 'delay', expr: LOOP, node: { delay: `{{ ${LOOP} }}` } },
  { field: 'at', expr: DEEP, node: { at: `{{ ${DEEP} }}` } },
];

describe('an expression that never ends', () => {
  it.each(nodeCases)('in $field ($expr) fails its node, then the run, and the worker lives on', async ({ field, node }) => {
    const rec = new Recorder();
    const w = await weftDefaultWorker({ step: rec.wrap('step') });
    const handle = await w.start({ name: 'hostile', nodes: [{ id: 'a', activity: 'step', ...node }] });

    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('WeftNodeFailed');
    expect(failure.message).toMatch(new RegExp(`^node "a" failed: ${field.replace('.', '\\.')} of node "a": expression ".*" (took more than \\d+ evaluation steps|nests deeper than \\d+ evaluation levels)`));
    const status = await handle.query(statusQuery);
    expect(status.state).toBe('failed');
    const a = status.nodes.find((n) => n.id === 'a')!;
    expect(a.state).toBe('failed');
    expect(a.error?.type).toBe('WeftExpressionFailed');
    expect(rec.callsOf('a')).toHaveLength(0);

    await expectWorkerAlive(w, rec);
  });

  it('in the DAG output fails the run with WeftExpressionFailed, and the worker lives on', async () => {
    const rec = new Recorder();
    const w = await weftDefaultWorker({ step: rec.wrap('step') });
    const handle = await w.start({ name: 'hostile-output', output: `{{ ${LOOP} }}`, nodes: [{ id: 'a', activity: 'step', input: 1 }] });

    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('WeftExpressionFailed');
    expect(failure.message).toMatch(/^output of DAG hostile-output: expression ".*" took more than \d+ evaluation steps/);
    expect(rec.callsOf('a')).toHaveLength(1);

    await expectWorkerAlive(w, rec);
  });
});

/** `$map` over this many items takes about three steps per item. */
const HEAVY_ITEMS = 2500;
const HEAVY = `{{ $count($map([1..${HEAVY_ITEMS}], function($v){ $v * 2 })) }}`;

describe('a long but finite expression', () => {
  it('runs to its end within the step bound on a worker with stack traces off', async () => {
    expect(HEAVY_ITEMS * 3).toBeGreaterThan(EXPRESSION_LIMITS.maxStepsWithStackTraces);
    expect(HEAVY_ITEMS * 3).toBeLessThan(EXPRESSION_LIMITS.maxSteps);
    const rec = new Recorder();
    const w = await weftDefaultWorker({ step: rec.wrap('step') });
    const handle = await w.start({ name: 'heavy', nodes: [{ id: 'a', activity: 'step', input: { n: HEAVY } }] });
    await expect(handle.result()).resolves.toEqual({ a: { n: HEAVY_ITEMS } });
  });

  it('fails the workflow task, not the node, on a worker with stack traces on; that worker lives, and one with them off finishes the run', async () => {
    const rec = new Recorder();
    const { value: on, state } = await withWorkflowStackTraces(true, () => dagWorker(env, { step: rec.wrap('step') }));
    expect(state).toBe('on');
    const handle = await on.start({ name: 'heavy-traced', nodes: [{ id: 'a', activity: 'step', input: { n: HEAVY } }] });

    const failed = await waitForTaskFailure(handle);
    expect(failed).toMatch(/needs more than 1000 evaluation steps, more than a worker with workflow stack traces on can run.*--no-workflow-stack-traces/);
    // Nothing of the evaluation reached the history: no node failed, no activity was scheduled.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.activityTaskScheduledEventAttributes || e.workflowExecutionFailedEventAttributes)).toBe(false);
    expect(rec.callsOf('a')).toHaveLength(0);
    await expectWorkerAlive(on, rec);

    on.worker.shutdown();
    await weftDefaultWorker({ step: rec.wrap('step') }, on.taskQueue);
    await expect(handle.result()).resolves.toEqual({ a: { n: HEAVY_ITEMS } });
    expect(rec.callsOf('a')).toHaveLength(1);
  });
});

/** The message of the run's first failed workflow task, once there is one. */
async function waitForTaskFailure(handle: WorkflowHandle): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const history = await handle.fetchHistory();
    const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
    if (failed) return failed.workflowTaskFailedEventAttributes?.failure?.message ?? '';
    if (Date.now() > deadline) throw new Error('no workflow task failed within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}
