/**
 * How a node's work unfolds, as tables: map fan-out (batches, concurrency,
 * item failure), approvals (approve, reject, deadline), timers (delay, at),
 * conditions, and the run-wide concurrency limit.
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import { FAILURE_TYPES } from '../../../src/workflows/messages';
import { drive, T0, type Trace, type World } from './drive';

interface Case {
  name: string;
  dag: Record<string, unknown>;
  input?: unknown;
  world?: World;
  calls: string[];
  states: Record<string, string>;
  end: string;
  check?: (t: Trace) => void;
}

const step = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, activity: 'demo.step', ...extra });
const mapNode = (map: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => step('m', { map, input: '{{ item }}', ...extra });

const maps: Case[] = [
  {
    name: 'one call per batch; the output lists each batch output in order',
    dag: { name: 'map-batches', nodes: [mapNode({ items: [1, 2, 3, 4, 5], batchSize: 2 })] },
    world: { echo: true },
    calls: ['m/0', 'm/1', 'm/2'],
    states: { m: 'succeeded' },
    end: 'complete-run',
    check: (t) => {
      expect(t.end).toEqual({ kind: 'complete-run', output: { m: [[1, 2], [3, 4], [5]] } });
      expect(t.status.nodes[0]!.items).toEqual({ total: 3, succeeded: 3, failed: 0, running: 0 });
    },
  },
  {
    name: 'items come from an upstream output; item and index are in the input context',
    dag: { name: 'map-expr', nodes: [step('list'), step('m', { after: ['list'], map: { items: '{{ nodes.list.output }}' }, input: { v: '{{ item }}', i: '{{ index }}' } })] },
    world: { replies: { list: { ok: ['x', 'y'] } }, echo: true },
    calls: ['list', 'm/0', 'm/1'],
    states: { list: 'succeeded', m: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.inputs['m/1']).toEqual({ v: 'y', i: 1 }),
  },
  {
    name: 'no more than map.concurrency items in flight',
    dag: { name: 'map-conc', nodes: [mapNode({ items: [1, 2, 3, 4, 5, 6], concurrency: 2 })] },
    calls: ['m/0', 'm/1', 'm/2', 'm/3', 'm/4', 'm/5'],
    states: { m: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.maxInFlight).toBe(2),
  },
  {
    name: 'an empty list succeeds at once with an empty output',
    dag: { name: 'map-empty', nodes: [mapNode({ items: [] })] },
    calls: [],
    states: { m: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.end).toEqual({ kind: 'complete-run', output: { m: [] } }),
  },
  {
    name: 'the first failed item cancels the items in flight, starts no more, and fails the node naming the item',
    dag: { name: 'map-fail', nodes: [mapNode({ items: [1, 2, 3, 4, 5], concurrency: 3 })] },
    world: { replies: { 'm/0': 'hold', 'm/1': { fail: 'bad item' }, 'm/2': 'hold' } },
    calls: ['m/0', 'm/1', 'm/2'],
    states: { m: 'failed' },
    end: 'fail-run',
    check: (t) => {
      expect(t.commands).toContainEqual({ kind: 'cancel-items', node: 'm' });
      expect(t.status.nodes[0]!.error).toEqual({ message: 'item 1: bad item' });
    },
  },
  {
    name: 'items that are not a list fail the node',
    dag: { name: 'map-bad', nodes: [step('m', { map: { items: '{{ input.things }}' } })] },
    input: { things: 'nope' },
    calls: [],
    states: { m: 'failed' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[0]!.error).toEqual({ message: 'map.items of node "m" must be a list, got string', type: FAILURE_TYPES.BAD_MAP_ITEMS }),
  },
];

const approve = { node: 'ok', decision: 'approve', by: 'ana', reason: 'fine' } as const;
const waits: Case[] = [
  {
    name: 'approve: the approval node succeeds with who approved, and downstream runs',
    dag: { name: 'appr', nodes: [{ id: 'ok', type: 'approval', timeout: '1h' }, step('b', { after: ['ok'], input: '{{ nodes.ok.output.by }}' })] },
    world: { decisions: { ok: approve } },
    calls: ['b'],
    states: { ok: 'succeeded', b: 'succeeded' },
    end: 'complete-run',
    check: (t) => {
      expect(t.status.nodes[0]!.output).toEqual({ approved: true, by: 'ana', reason: 'fine', at: '2026-01-01T00:00:00.000Z' });
      expect(t.inputs.b).toBe('ana');
    },
  },
  {
    name: 'reject: the approval node fails as rejected',
    dag: { name: 'rej', nodes: [{ id: 'ok', type: 'approval', timeout: '1h' }] },
    world: { decisions: { ok: { node: 'ok', decision: 'reject', by: 'bo', reason: 'no' } } },
    calls: [],
    states: { ok: 'failed' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[0]!.error).toEqual({ message: 'rejected by bo: no', type: FAILURE_TYPES.APPROVAL_REJECTED }),
  },
  {
    name: 'deadline: without a decision the approval node fails when its timeout passes',
    dag: { name: 'dl', nodes: [{ id: 'ok', type: 'approval', timeout: '2h' }] },
    calls: [],
    states: { ok: 'failed' },
    end: 'fail-run',
    check: (t) => {
      expect(t.commands).toContainEqual({ kind: 'wait-decision', node: 'ok', ms: 7_200_000 });
      expect(t.status.nodes[0]!.error).toEqual({ message: 'no decision before the deadline 2026-01-01T02:00:00.000Z', type: FAILURE_TYPES.APPROVAL_TIMED_OUT });
    },
  },
  {
    name: 'delay: a durable timer once dependencies are done, then the call',
    dag: { name: 'delay', nodes: [step('a'), step('b', { after: ['a'], delay: '10m' })] },
    calls: ['a', 'b'],
    states: { a: 'succeeded', b: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.timers).toEqual([['b', 600_000]]),
  },
  {
    name: 'delay from an expression',
    dag: { name: 'delay-expr', nodes: [step('b', { delay: '{{ input.wait }}' })] },
    input: { wait: '90s' },
    calls: ['b'],
    states: { b: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.timers).toEqual([['b', 90_000]]),
  },
  {
    name: 'a delay that is not a duration fails the node',
    dag: { name: 'delay-bad', nodes: [step('b', { delay: '{{ input.wait }}' })] },
    input: { wait: 'soon' },
    calls: [],
    states: { b: 'failed' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[0]!.error).toEqual({ message: 'delay of node "b" is not a duration: "soon"', type: FAILURE_TYPES.EXPRESSION_FAILED }),
  },
  {
    name: 'at in the future: a timer until then',
    dag: { name: 'at', nodes: [step('b', { at: new Date(T0 + 3_600_000).toISOString() })] },
    calls: ['b'],
    states: { b: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.timers).toEqual([['b', 3_600_000]]),
  },
  {
    name: 'at in the past: no timer',
    dag: { name: 'at-past', nodes: [step('b', { at: '2020-01-01T00:00:00Z' })] },
    calls: ['b'],
    states: { b: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.timers).toEqual([]),
  },
  {
    name: 'a false condition skips the node and says why',
    dag: { name: 'when', nodes: [step('b', { when: '{{ input.go }}' })] },
    input: { go: false },
    calls: [],
    states: { b: 'skipped' },
    end: 'complete-run',
    check: (t) => expect(t.status.nodes[0]!.reason).toBe('condition is false: {{ input.go }}'),
  },
  {
    name: 'an input expression that fails fails the node with the expression error',
    dag: { name: 'bad-input', nodes: [step('b', { input: '{{ $number("x") }}' })] },
    calls: [],
    states: { b: 'failed' },
    end: 'fail-run',
    check: (t) => expect(t.status.nodes[0]!.error!.message).toMatch(/^input of node "b": /),
  },
];

const limits: Case[] = [
  {
    name: 'no more than `concurrency` calls in flight; waiting nodes start in the order they became ready',
    dag: { name: 'limit', concurrency: 2, nodes: ['a', 'b', 'c', 'd', 'e'].map((id) => step(id)) },
    calls: ['a', 'b', 'c', 'd', 'e'],
    states: { a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded', e: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.maxInFlight).toBe(2),
  },
  {
    name: 'map items count against the run-wide limit too, and queue with other nodes in arrival order',
    dag: { name: 'limit-map', concurrency: 2, nodes: [mapNode({ items: [1, 2, 3, 4], concurrency: 4 }), step('x')] },
    calls: ['m/0', 'm/1', 'm/2', 'm/3', 'x'],
    states: { m: 'succeeded', x: 'succeeded' },
    end: 'complete-run',
    check: (t) => expect(t.maxInFlight).toBe(2),
  },
  {
    // The freed slot goes to the next waiter before the failure is applied, as it always has
    // (recorded histories depend on it): b starts and is cancelled, c never starts.
    name: 'fail-fast cancels the nodes waiting for a slot',
    dag: { name: 'limit-ff', concurrency: 1, nodes: [step('a'), step('b'), step('c')] },
    world: { replies: { a: { fail: 'boom' }, b: 'hold' } },
    calls: ['a', 'b'],
    states: { a: 'failed', b: 'cancelled', c: 'cancelled' },
    end: 'fail-run',
  },
];

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const t = await drive(compileDag(c.dag), c.input ?? {}, c.world ?? {});
        expect(t.calls).toEqual(c.calls);
        expect(t.states).toEqual(c.states);
        expect(t.end?.kind).toBe(c.end);
        c.check?.(t);
      });
    }
  });
}

table('map fan-out', maps);
table('approvals, timers and conditions', waits);
table('concurrency limit', limits);
