/** How a large DAG is cut into partitions, and what each partition imports. */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag';
import { packDag } from '../../../src/dag/pack';
import { checkPartitionSettings, nodeReads, partitionDag, PartitionSettingsError, shouldPartition } from '../../../src/dag/partition';

const chain = (n: number, extra: Array<Record<string, unknown>> = []) =>
  packDag(
    compileDag({
      name: 'chain',
      nodes: [...Array.from({ length: n }, (_, i) => ({ id: `n${i}`, activity: 'noop', ...(i > 0 ? { after: [`n${i - 1}`], input: `{{ nodes.n${i - 1}.output }}` } : {}) })), ...extra],
    }),
  );

describe('partitionDag', () => {
  it('cuts the topological order into contiguous blocks of at most `size` nodes', () => {
    const parts = partitionDag(chain(7), 3);
    expect(parts.map((p) => [p.index, p.start, p.end])).toEqual([
      [0, 0, 3],
      [1, 3, 6],
      [2, 6, 7],
    ]);
  });

  it('imports the dependencies and expression references that live in earlier partitions, and nothing later', () => {
    const dag = chain(6, [{ id: 'far', activity: 'noop', after: ['n5'], when: 'nodes.n0.output = null', input: { a: '{{ nodes.`n1`.output }}', b: ['{{ $string(nodes.n4.output) }}'] } }]);
    const parts = partitionDag(dag, 3);
    expect(parts.map((p) => p.imports)).toEqual([[], ['n2'], ['n0', 'n1', 'n4', 'n5']]);
  });

  it('finds references in when, delay, at, map.items, input, compensate and notify', () => {
    const reads = nodeReads({
      id: 'x',
      after: ['a'],
      when: 'nodes.b.output',
      delay: '{{ nodes.c.output }}',
      at: '{{ nodes.d.output }}',
      map: { items: '{{ nodes.e.output }}', concurrency: 1, batchSize: 1 },
      call: { activity: 'noop', input: { deep: [{ deeper: '{{ nodes.f.output }}' }] } },
      compensate: { activity: 'noop', input: '{{ nodes.g.output }}' },
      notify: { url: '{{ nodes.h.output }}', then: 'fail' },
    });
    expect([...reads].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});

describe('partition settings', () => {
  it('partitions only past the threshold, and never a saga', () => {
    const s = { above: 5, size: 2 };
    expect(shouldPartition(chain(5), s)).toBe(false);
    expect(shouldPartition(chain(6), s)).toBe(true);
    expect(shouldPartition({ ...chain(6), onFailure: 'compensate' }, s)).toBe(false);
  });

  it('refuses a size below 2 or a negative threshold, naming the field and the value', () => {
    expect(() => checkPartitionSettings({ above: 10, size: 1 })).toThrow(new PartitionSettingsError('size', 1));
    expect(() => checkPartitionSettings({ above: -1, size: 10 })).toThrow('partition settings: expected `above` to be an integer >= 0, got -1');
  });
});
