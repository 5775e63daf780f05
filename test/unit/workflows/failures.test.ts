/**
 * What a failure does, as tables: the run's onFailure mode (fail-fast,
 * continue, compensate), a node's onError policy (fail, ignore, notify, ask),
 * and cancelling the run. Each case: a DAG, what the activities answer, and
 * the calls, node states and end the machine decides on.
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import { FAILURE_TYPES } from '../../../src/workflows/messages';
import { drive, type Trace, type World } from './drive';

interface Case {
  name: string;
  dag: Record<string, unknown>;
  world: World;
  calls: string[];
  states: Record<string, string>;
  end: string;
  check?: (t: Trace) => void;
}

const step = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, activity: 'demo.step', ...extra });

const onFailure: Case[] = [
  {
    name: 'fail-fast cancels what is in flight, skips what did not start and fails the run naming the node',
    dag: { name: 'ff', nodes: [step('a'), step('slow'), step('b', { after: ['a'] })] },
    world: { replies: { a: { fail: 'boom', type: 'Boom' }, slow: 'hold' } },
    calls: ['a', 'slow'],
    states: { a: 'failed', slow: 'cancelled', b: 'skipped' },
    end: 'fail-run',
    check: (t) => {
      expect(t.status.nodes.find((n) => n.id === 'slow')!.reason).toBe('cancelled because node a failed');
      expect(t.status.nodes.find((n) => n.id === 'b')!.reason).toBe('the run failed at node a');
      expect(t.end).toEqual({
        kind: 'fail-run',
        failure: { type: FAILURE_TYPES.NODE_FAILED, message: 'node "a" failed: boom', details: [{ node: 'a', failedNodes: ['a'], error: { message: 'boom', type: 'Boom' } }] },
      });
    },
  },
  {
    name: 'continue runs everything that can still run, then fails the run listing every failed node',
    dag: { name: 'cont', onFailure: 'continue', nodes: [step('a'), step('b'), step('c', { after: ['a'] }), step('d', { after: ['b'] })] },
    world: { replies: { a: { fail: 'boom' }, b: { fail: 'bang' } } },
    calls: ['a', 'b'],
    states: { a: 'failed', b: 'failed', c: 'skipped', d: 'skipped' },
    end: 'fail-run',
    check: (t) => expect(t.end).toMatchObject({ failure: { message: 'node "a" failed: boom (failed nodes: a, b)' } }),
  },
  {
    name: 'compensate undoes succeeded nodes in reverse order, with their outputs, before failing',
    dag: {
      name: 'saga',
      onFailure: 'compensate',
      nodes: [
        step('a', { compensate: { activity: 'demo.undo', input: { undo: '{{ nodes.a.output }}' } } }),
        step('b', { after: ['a'], compensate: { activity: 'demo.undo', input: '{{ nodes.b.output }}' } }),
        step('c', { after: ['b'] }),
      ],
    },
    world: { replies: { c: { fail: 'boom' } } },
    calls: ['a', 'b', 'c', 'b/compensate', 'a/compensate'],
    states: { a: 'succeeded', b: 'succeeded', c: 'failed' },
    end: 'fail-run',
    check: (t) => {
      expect(t.inputs['a/compensate']).toEqual({ undo: 'a done' });
      expect(t.status.nodes.map((n) => n.compensation?.state)).toEqual(['succeeded', 'succeeded', undefined]);
      expect(t.machine.runState).toBe('failed');
    },
  },
  {
    name: 'a compensation that fails is recorded and the others still run',
    dag: { name: 'saga2', onFailure: 'compensate', nodes: [step('a', { compensate: { activity: 'demo.undo' } }), step('b', { after: ['a'], compensate: { activity: 'demo.undo' } }), step('c', { after: ['b'] })] },
    world: { replies: { c: { fail: 'boom' }, 'b/compensate': { fail: 'cannot undo' } } },
    calls: ['a', 'b', 'c', 'b/compensate', 'a/compensate'],
    states: { a: 'succeeded', b: 'succeeded', c: 'failed' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[1]!.compensation).toEqual({ state: 'failed', error: { message: 'cannot undo' } }),
  },
];

const onError: Case[] = [
  {
    name: 'fail: the node fails',
    dag: { name: 'e-fail', nodes: [step('a', { onError: 'fail' }), step('b', { after: ['a'] })] },
    world: { replies: { a: { fail: 'boom', attempt: 3 } } },
    calls: ['a'],
    states: { a: 'failed', b: 'skipped' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[0]).toMatchObject({ attempts: 3, error: { message: 'boom' } }),
  },
  {
    name: 'ignore: the node succeeds with a null output and keeps the error; downstream runs',
    dag: { name: 'e-ignore', nodes: [step('a', { onError: 'ignore' }), step('b', { after: ['a'], input: '{{ nodes.a.output }}' })] },
    world: { replies: { a: { fail: 'boom' } } },
    calls: ['a', 'b'],
    states: { a: 'succeeded', b: 'succeeded' },
    end: 'complete-run',
    check: (t) => {
      expect(t.status.nodes[0]).toMatchObject({ ignoredError: true, error: { message: 'boom' } });
      expect(t.inputs.b).toBeNull();
    },
  },
  {
    name: 'notify then fail: posts the failure to the webhook, then fails',
    dag: { name: 'e-notify', nodes: [step('a', { onError: 'notify', notify: { url: 'https://hooks.test/{{ run.id }}' } })] },
    world: { replies: { a: { fail: 'boom', attempt: 2 } } },
    calls: ['a', 'a/notify'],
    states: { a: 'failed' },
    end: 'fail-run',
    check: (t) =>
      expect(t.inputs['a/notify']).toEqual({
        url: 'https://hooks.test/run-1',
        body: { event: 'node.failed', run: 'run-1', dag: 'e-notify', node: 'a', error: { message: 'boom' }, attempts: 2, at: '2026-01-01T00:00:00.000Z' },
      }),
  },
  {
    name: 'notify then continue: a failed notification is only logged, and the node goes on as succeeded',
    dag: { name: 'e-notify2', nodes: [step('a', { onError: 'notify', notify: { url: 'https://hooks.test/x', then: 'continue' } }), step('b', { after: ['a'] })] },
    world: { replies: { a: { fail: 'boom' }, 'a/notify': { fail: 'webhook down' } } },
    calls: ['a', 'a/notify', 'b'],
    states: { a: 'succeeded', b: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.commands).toContainEqual(expect.objectContaining({ kind: 'log', level: 'warn', message: 'failure notification failed' })),
  },
  {
    name: 'ask, then retry: runs the node again',
    dag: { name: 'e-ask', nodes: [step('a', { onError: 'ask' })] },
    world: { replies: { a: [{ fail: 'boom' }, { ok: 42 }] }, decisions: { a: { node: 'a', action: 'retry', by: 'ops' } } },
    calls: ['a', 'a'],
    states: { a: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.end).toEqual({ kind: 'complete-run', output: { a: 42 } }),
  },
  {
    name: 'ask, then skip: the node is skipped with who decided and why it failed',
    dag: { name: 'e-ask2', nodes: [step('a', { onError: 'ask' }), step('b', { after: ['a'], trigger: 'all-done' })] },
    world: { replies: { a: { fail: 'boom' } }, decisions: { a: { node: 'a', action: 'skip', by: 'ops' } } },
    calls: ['a', 'b'],
    states: { a: 'skipped', b: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.status.nodes[0]!.reason).toBe('skipped by ops after failing: boom'),
  },
  {
    name: 'ask, then abort: the node fails as aborted',
    dag: { name: 'e-ask3', nodes: [step('a', { onError: 'ask' })] },
    world: { replies: { a: { fail: 'boom' } }, decisions: { a: { node: 'a', action: 'abort', by: 'ops' } } },
    calls: ['a'],
    states: { a: 'failed' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[0]!.error).toEqual({ message: 'aborted by ops after failing: boom', type: FAILURE_TYPES.FAILURE_ABORTED }),
  },
  {
    name: 'ask, and nobody decides before the deadline: aborted by the deadline',
    dag: { name: 'e-ask4', nodes: [step('a', { onError: 'ask', askTimeout: '1h' })] },
    world: { replies: { a: { fail: 'boom' } } },
    calls: ['a'],
    states: { a: 'failed' },
    end: 'fail-run',
    check: (t) => {
      expect(t.commands).toContainEqual({ kind: 'wait-decision', node: 'a', ms: 3_600_000 });
      expect(t.status.nodes[0]!.error!.message).toBe('aborted by deadline after failing: boom');
    },
  },
];

const cancellation: Case[] = [
  {
    name: 'cancelling the run cancels what is in flight and marks the rest cancelled',
    dag: { name: 'c1', nodes: [step('a'), step('b', { after: ['a'] }), step('c', { delay: '1h' })] },
    world: { replies: { a: 'hold' }, cancelAfter: 'a' },
    calls: ['a'],
    states: { a: 'cancelled', b: 'cancelled', c: 'cancelled' },
    end: 'cancel-run',
    check: (t) => expect(t.status.nodes.map((n) => n.reason)).toEqual(['the run was cancelled', 'the run was cancelled', 'the run was cancelled']),
  },
  {
    name: 'cancelling a saga compensates what succeeded',
    dag: { name: 'c2', onFailure: 'compensate', nodes: [step('a', { compensate: { activity: 'demo.undo' } }), step('b', { after: ['a'] })] },
    world: { replies: { b: 'hold' }, cancelAfter: 'b' },
    calls: ['a', 'b', 'a/compensate'],
    states: { a: 'succeeded', b: 'cancelled' },
    end: 'cancel-run',
    check: (t) => expect(t.machine.runState).toBe('cancelled'),
  },
];

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const t = await drive(compileDag(c.dag), {}, c.world);
        expect(t.calls).toEqual(c.calls);
        expect(t.states).toEqual(c.states);
        expect(t.end?.kind).toBe(c.end);
        c.check?.(t);
      });
    }
  });
}

table('onFailure', onFailure);
table('onError', onError);
table('cancellation', cancellation);
