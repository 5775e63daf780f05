/** The cache of closed executions' views: what it keeps, what it refuses, what it evicts first. */
import { describe, expect, it } from 'vitest';
import { ClosedRunCache } from '../../../src/client/closed-runs';
import type { RunView } from '../../../src/client/run-types';

function view(runId: string, nodes: number, closed = true): RunView {
  return {
    id: 'run',
    runId,
    dag: 'd',
    execution: closed ? 'COMPLETED' : 'RUNNING',
    startedAt: '2026-01-01T00:00:00.000Z',
    ...(closed ? { closedAt: '2026-01-01T00:01:00.000Z' } : {}),
    taskQueue: 'q',
    status: {
      dag: 'd',
      hash: 'h',
      state: closed ? 'succeeded' : 'running',
      startedAt: '2026-01-01T00:00:00.000Z',
      generation: 0,
      counts: { pending: 0, waiting: 0, running: 0, succeeded: nodes, failed: 0, skipped: 0, cancelled: 0 },
      nodes: Array.from({ length: nodes }, (_, i) => ({ id: `n${i}`, state: 'succeeded' as const })),
    },
  };
}

describe('ClosedRunCache', () => {
  it('keeps a closed execution by id, runId and whether outputs were asked for', () => {
    const cache = new ClosedRunCache(100);
    const v = view('a', 3);
    cache.set('run', false, v);
    expect(cache.get('run', 'a', false)).toBe(v);
    expect(cache.get('run', 'a', true)).toBeUndefined();
    expect(cache.get('run', 'b', false)).toBeUndefined();
  });

  it('does not keep a running execution, nor one whose status query was not answered', () => {
    const cache = new ClosedRunCache(100);
    cache.set('run', false, view('a', 3, false));
    const { status: _status, ...noStatus } = view('b', 3);
    cache.set('run', false, noStatus);
    expect([cache.get('run', 'a', false), cache.get('run', 'b', false)]).toEqual([undefined, undefined]);
  });

  it('evicts the least recently used views once the node count passes its bound, and never keeps a view larger than it', () => {
    const cache = new ClosedRunCache(25);
    cache.set('run', false, view('a', 9));
    cache.set('run', false, view('b', 9));
    expect(cache.get('run', 'a', false)).toBeDefined();
    cache.set('run', false, view('c', 9));
    // 30 > 25: b, the least recently used, goes.
    expect([cache.get('run', 'a', false) !== undefined, cache.get('run', 'b', false) !== undefined, cache.get('run', 'c', false) !== undefined]).toEqual([true, false, true]);
    cache.set('run', false, view('huge', 30));
    expect(cache.get('run', 'huge', false)).toBeUndefined();
  });

  it('weighs a view with outputs by its size, so large outputs count for what they hold', () => {
    const cache = new ClosedRunCache(25);
    const small = view('a', 2);
    cache.set('run', true, small);
    expect(cache.get('run', 'a', true)).toBe(small);
    const big = view('b', 2);
    big.status!.nodes[0]!.output = 'x'.repeat(10_000);
    // 10 KB of output weighs about 40 statuses: more than the whole bound.
    cache.set('run', true, big);
    expect(cache.get('run', 'b', true)).toBeUndefined();
  });
});
