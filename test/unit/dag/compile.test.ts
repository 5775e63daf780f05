/** compileDag: defaults applied in order, durations in ms, topological order, a stable content hash. */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import type { DagDefinition } from '../../../src/dag/schema';
import { BUILTIN_DEFAULTS, type CompiledNode } from '../../../src/dag/types';
import { DagValidationError } from '../../../src/dag/validate';

function node(dag: ReturnType<typeof compileDag>, id: string): CompiledNode {
  const found = dag.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

describe('compileDag defaults', () => {
  it('gives a node the built-in defaults when neither it nor the DAG sets any', () => {
    const dag = compileDag({ name: 'plain', nodes: [{ id: 'a', activity: 'demo.step' }] });
    expect(node(dag, 'a').call).toEqual({
      activity: 'demo.step',
      retry: BUILTIN_DEFAULTS.retry,
      timeouts: { startToCloseMs: BUILTIN_DEFAULTS.startToCloseMs },
      // A short node with default settings runs as a local activity (src/dag/mode.ts).
      mode: 'local',
    });
    expect(node(dag, 'a').trigger).toBe('all-success');
    expect(node(dag, 'a').onError).toBe('fail');
    expect(dag.concurrency).toBe(BUILTIN_DEFAULTS.concurrency);
    expect(dag.onFailure).toBe('fail-fast');
  });

  it('lets the DAG defaults override the built-ins field by field', () => {
    const dag = compileDag({
      name: 'dag-defaults',
      defaults: { retry: { maximumAttempts: 5 }, timeout: '30s', taskQueue: 'images', priority: 2 },
      nodes: [{ id: 'a', activity: 'demo.step' }],
    });
    const call = node(dag, 'a').call!;
    expect(call.retry).toEqual({ ...BUILTIN_DEFAULTS.retry, maximumAttempts: 5 });
    expect(call.timeouts).toEqual({ startToCloseMs: 30_000 });
    expect(call.taskQueue).toBe('images');
    expect(call.priority).toBe(2);
  });

  it('lets node settings override the DAG defaults field by field', () => {
    const dag = compileDag({
      name: 'node-overrides',
      defaults: { retry: { maximumAttempts: 5, initialInterval: '2s' }, timeout: '30s', taskQueue: 'images', priority: 2 },
      nodes: [{ id: 'a', activity: 'demo.step', retry: { maximumAttempts: 1 }, timeout: { heartbeat: '10s' }, taskQueue: 'gpu', priority: 1 }],
    });
    const call = node(dag, 'a').call!;
    // maximumAttempts from the node, initialInterval from the DAG, the rest built in.
    expect(call.retry).toEqual({ ...BUILTIN_DEFAULTS.retry, maximumAttempts: 1, initialIntervalMs: 2000 });
    // The node's timeout object adds a heartbeat; start-to-close still comes from the DAG.
    expect(call.timeouts).toEqual({ startToCloseMs: 30_000, heartbeatMs: 10_000 });
    expect(call.taskQueue).toBe('gpu');
    expect(call.priority).toBe(1);
  });

  it('applies the DAG defaults to compensations too', () => {
    const dag = compileDag({
      name: 'saga',
      defaults: { timeout: '45s' },
      nodes: [{ id: 'charge', activity: 'billing.charge', compensate: { activity: 'billing.refund' } }],
    });
    expect(node(dag, 'charge').compensate?.timeouts).toEqual({ startToCloseMs: 45_000 });
  });

  it('gives a map its default concurrency and a batch size of 1', () => {
    const dag = compileDag({ name: 'fan-out', nodes: [{ id: 'm', activity: 'demo.step', map: { items: [1, 2, 3] } }] });
    expect(node(dag, 'm').map).toEqual({ items: [1, 2, 3], concurrency: BUILTIN_DEFAULTS.mapConcurrency, batchSize: 1 });
  });
});

describe('compileDag durations', () => {
  it('turns every duration into milliseconds', () => {
    const dag = compileDag({
      name: 'durations',
      nodes: [
        {
          id: 'a',
          activity: 'demo.step',
          retry: { initialInterval: '500ms', maximumInterval: '1m' },
          timeout: { startToClose: '1h30m', scheduleToClose: '2h', scheduleToStart: '10s', heartbeat: 15_000 },
          delay: '1h30m',
        },
        { id: 'approve', type: 'approval', timeout: '24h', after: ['a'] },
      ],
    });
    const a = node(dag, 'a');
    expect(a.call!.retry.initialIntervalMs).toBe(500);
    expect(a.call!.retry.maximumIntervalMs).toBe(60_000);
    expect(a.call!.timeouts).toEqual({ startToCloseMs: 5_400_000, scheduleToCloseMs: 7_200_000, scheduleToStartMs: 10_000, heartbeatMs: 15_000 });
    expect(a.delay).toBe(5_400_000);
    expect(node(dag, 'approve').approvalTimeoutMs).toBe(86_400_000);
  });

  it('keeps a delay given as an expression as its template, for the interpreter to evaluate', () => {
    const dag = compileDag({ name: 'late', nodes: [{ id: 'a', activity: 'demo.step', delay: '{{ input.wait }}' }] });
    expect(node(dag, 'a').delay).toBe('{{ input.wait }}');
  });

  it('raises a maximum retry interval below the initial one, which Temporal would reject', () => {
    const dag = compileDag({ name: 'retry', nodes: [{ id: 'a', activity: 'demo.step', retry: { initialInterval: '2m', maximumInterval: '1m' } }] });
    expect(node(dag, 'a').call!.retry.maximumIntervalMs).toBe(120_000);
  });

  it('gives an approval without a timeout the built-in deadline', () => {
    const dag = compileDag({ name: 'wait', nodes: [{ id: 'approve', type: 'approval' }] });
    expect(node(dag, 'approve').approvalTimeoutMs).toBe(BUILTIN_DEFAULTS.approvalTimeoutMs);
    expect(node(dag, 'approve').call).toBeUndefined();
  });
});

describe('compileDag order', () => {
  it('puts every node after all of its dependencies, whatever the definition order', () => {
    const dag = compileDag({
      name: 'reverse',
      nodes: [
        { id: 'd', activity: 'demo.step', after: ['b', 'c'] },
        { id: 'c', activity: 'demo.step', after: ['a'] },
        { id: 'b', activity: 'demo.step', after: ['a'] },
        { id: 'a', activity: 'demo.step' },
      ],
    });
    expect(dag.nodes.map((n) => n.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('keeps definition order between nodes that are ready at the same time', () => {
    const dag = compileDag({
      name: 'roots',
      nodes: [
        { id: 'z', activity: 'demo.step' },
        { id: 'y', activity: 'demo.step' },
        { id: 'x', activity: 'demo.step', after: ['z'] },
        { id: 'w', activity: 'demo.step' },
      ],
    });
    expect(dag.nodes.map((n) => n.id)).toEqual(['z', 'y', 'w', 'x']);
  });
});

describe('compileDag hash', () => {
  const base: DagDefinition = {
    name: 'hashed',
    defaults: { timeout: '30s', retry: { maximumAttempts: 2 } },
    nodes: [
      { id: 'a', activity: 'demo.step', input: { x: 1, y: [1, 2] } },
      { id: 'b', activity: 'demo.step', after: ['a'] },
    ],
  };

  it('is a SHA-256 hex digest', () => {
    expect(compileDag(base).hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same content with keys in another order', () => {
    const reordered = {
      nodes: [
        { input: { y: [1, 2], x: 1 }, activity: 'demo.step', id: 'a' },
        { after: ['a'], activity: 'demo.step', id: 'b' },
      ],
      defaults: { retry: { maximumAttempts: 2 }, timeout: '30s' },
      name: 'hashed',
    };
    expect(compileDag(reordered).hash).toBe(compileDag(base).hash);
  });

  it('differs when any value differs', () => {
    const changed = { ...base, nodes: [{ ...base.nodes[0]!, input: { x: 2, y: [1, 2] } }, base.nodes[1]!] };
    expect(compileDag(changed).hash).not.toBe(compileDag(base).hash);
  });

  it('differs when list order differs, since list order is meaningful', () => {
    const swapped = { ...base, nodes: [{ ...base.nodes[0]!, input: { x: 1, y: [2, 1] } }, base.nodes[1]!] };
    expect(compileDag(swapped).hash).not.toBe(compileDag(base).hash);
  });
});

describe('compileDag errors', () => {
  it('throws a DagValidationError with every issue and the source in its message', () => {
    let error: unknown;
    try {
      compileDag({ name: 'Bad', nodes: [{ id: 'a' }] }, { source: 'dags/bad.yaml' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DagValidationError);
    const e = error as DagValidationError;
    expect(e.source).toBe('dags/bad.yaml');
    expect(e.issues.map((i) => i.path)).toEqual(['name', 'nodes[0].activity']);
    expect(e.message).toMatch(/^Invalid DAG in dags\/bad\.yaml:\n {2}- name: /);
  });
});
