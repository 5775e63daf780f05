/** Every limit in src/dag/limits.ts: reported as an issue with its path, never a crash. */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import { evaluateTemplate, ExpressionLimitError } from '../../../src/dag/expressions';
import { DEFAULT_LIMITS, EXPRESSION_LIMITS, FIXED_LIMITS } from '../../../src/dag/limits';
import { validateDag, type DagIssue, type ValidateOptions } from '../../../src/dag/validate';
import { CORPUS, RECURSIVE_EXPRESSION, chain, cycle, nested } from '../../fuzz/corpus';

function issues(dag: unknown, opts?: ValidateOptions): DagIssue[] {
  const r = validateDag(dag, opts);
  return r.ok ? [] : r.issues;
}

const one = (node: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'limits', ...extra, nodes: [{ id: 'a', activity: 'noop', ...node }] });
const ctx = { input: {}, nodes: {}, run: { id: 'r' } };

describe('the corpus of issue 8', () => {
  it.each(CORPUS)('$name', ({ dag, path, code }) => {
    const found = issues(dag());
    if (!code) {
      expect(found).toEqual([]);
      return;
    }
    const hit = found.find((i) => i.code === code);
    expect(hit, JSON.stringify(found.slice(0, 3))).toBeDefined();
    if (typeof path === 'string') expect(hit!.path).toBe(path);
    else expect(hit!.path).toMatch(path!);
  });
});

describe('size limits', () => {
  it('supports at least 100,000 nodes by default', () => {
    expect(DEFAULT_LIMITS.maxNodes).toBeGreaterThanOrEqual(100_000);
  });

  it('reports more nodes than limits.maxNodes at `nodes`', () => {
    const found = issues(chain(11), { limits: { maxNodes: 10 } });
    expect(found).toEqual([{ path: 'nodes', code: 'too_many_nodes', message: 'a DAG has at most 10 nodes (ValidateOptions.limits.maxNodes), this one has 11' }]);
  });

  it('reports a definition larger than limits.maxDefinitionBytes', () => {
    expect(issues(one({ input: 'x'.repeat(5000) }), { limits: { maxDefinitionBytes: 4096 } }).map((i) => i.code)).toEqual(['too_large']);
  });

  it('reports a nesting depth past limits.maxDepth with the path of the first value too deep', () => {
    const found = issues(one({ input: { a: { b: { c: [1] } } } }), { limits: { maxDepth: 5 } });
    expect(found.map((i) => [i.path, i.code])).toEqual([['nodes[0].input.a.b', 'too_deep']]);
  });

  it('reports a string longer than limits.maxStringLength', () => {
    expect(issues(one({ description: 'x'.repeat(101) }), { limits: { maxStringLength: 100 } }).map((i) => [i.path, i.code])).toEqual([['nodes[0].description', 'too_long']]);
  });

  it('reports an expression longer than limits.maxExpressionLength', () => {
    const found = issues(one({ when: `{{ ${'1 + '.repeat(50)}1 }}` }), { limits: { maxExpressionLength: 100 } });
    expect(found.map((i) => [i.path, i.code])).toEqual([['nodes[0].when', 'too_long']]);
  });

  it('reports values JSON cannot carry', () => {
    const found = issues(one({ input: { f: () => 1, n: NaN, d: new Date(0) } }));
    expect(found.map((i) => [i.path, i.code]).sort()).toEqual([
      ['nodes[0].input.d', 'not_json'],
      ['nodes[0].input.f', 'not_json'],
      ['nodes[0].input.n', 'not_json'],
    ]);
  });

  it('keeps at most limits.maxIssues issues and counts the rest', () => {
    const dag = { name: 'many', nodes: Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, activity: 'noop', after: ['ghost'] })) };
    const found = issues(dag, { limits: { maxIssues: 10 } });
    expect(found).toHaveLength(11);
    expect(found[10]).toEqual({ path: '(root)', code: 'truncated', message: '20 more issues not shown (limits.maxIssues is 10)' });
  });

  it('rejects a limit that is not a positive integer, naming it', () => {
    expect(() => validateDag(one({}), { limits: { maxNodes: 0 } })).toThrow('Expected limits.maxNodes to be a positive integer, got 0');
  });
});

describe('fixed limits', () => {
  it.each([
    ['concurrency', { concurrency: FIXED_LIMITS.maxConcurrency + 1 }, {}, 'concurrency'],
    ['map.concurrency', {}, { map: { items: [1], concurrency: 1e6 } }, 'nodes[0].map.concurrency'],
    ['map.batchSize 0', {}, { map: { items: [1], batchSize: 0 } }, 'nodes[0].map.batchSize'],
    ['map.batchSize', {}, { map: { items: [1], batchSize: 1e9 } }, 'nodes[0].map.batchSize'],
    ['retry.maximumAttempts', {}, { retry: { maximumAttempts: 1e9 } }, 'nodes[0].retry.maximumAttempts'],
    ['retry.backoffCoefficient', {}, { retry: { backoffCoefficient: 1000 } }, 'nodes[0].retry.backoffCoefficient'],
    ['retry.initialInterval 0', {}, { retry: { initialInterval: 0 } }, 'nodes[0].retry.initialInterval'],
    ['askTimeout 0', {}, { onError: 'ask', askTimeout: '0s' }, 'nodes[0].askTimeout'],
    ['taskQueue', {}, { taskQueue: 'q'.repeat(FIXED_LIMITS.maxTaskQueueLength + 1) }, 'nodes[0].taskQueue'],
    ['defaults.timeout 0', { defaults: { timeout: '0ms' } }, {}, 'defaults.timeout'],
  ] as const)('reports %s out of range at its path', (_label, dagFields, nodeFields, path) => {
    expect(issues(one(nodeFields, dagFields)).map((i) => i.path)).toEqual([path]);
  });

  it('accepts the longest name and node id, and says why a longer name is refused', () => {
    const name = 'n'.repeat(FIXED_LIMITS.maxNameLength);
    expect(issues({ ...one({ id: `a${'b'.repeat(FIXED_LIMITS.maxNodeIdLength - 1)}` }), name })).toEqual([]);
    const [issue] = issues({ ...one({}), name: `${name}x` });
    expect(issue!.message).toBe("a DAG name is at most 200 characters (it starts every run's workflow id and is a search attribute), got 201");
  });

  it('says why a duration is refused: too long, negative, or not a duration', () => {
    expect(issues(one({ delay: 1e308 }))[0]!.message).toBe('duration 1e+308 is longer than the maximum of 100 years (3153600000000 ms)');
    expect(issues(one({ delay: -1 }))[0]!.message).toBe('expected a duration of 0 or more, got -1');
    expect(issues(one({ timeout: 0 }))[0]!.message).toBe('expected a duration greater than 0 (at least 1ms), got 0');
  });

  it('accepts durations up to 100 years and times before 2200', () => {
    expect(issues(one({ delay: FIXED_LIMITS.maxDurationMs, timeout: '5200w' }))).toEqual([]);
    expect(issues(one({ at: '2199-12-31T23:59:59Z' }))).toEqual([]);
  });
});

describe('the input JSON Schema, compiled strictly at validation', () => {
  it('reports a misspelt keyword', () => {
    expect(issues(one({}, { input: { type: 'object', requried: ['a'] } }))).toEqual([
      { path: 'input', code: 'bad_input_schema', message: 'invalid JSON Schema: strict mode: unknown keyword: "requried"' },
    ]);
  });

  it('accepts a schema that uses formats and two DAGs with the same $id', () => {
    const schema = { $id: 'https://example.com/order', type: 'object', properties: { at: { type: 'string', format: 'date-time' } } };
    expect(issues(one({}, { input: schema }))).toEqual([]);
    expect(issues(one({}, { input: { ...schema } }))).toEqual([]);
  });
});

describe('large definitions', () => {
  it('compiles a 10,000-node chain in order', () => {
    const dag = compileDag(chain(10_000));
    expect(dag.nodes.map((n) => n.id).slice(0, 3)).toEqual(['n0', 'n1', 'n2']);
    expect(dag.nodes.at(-1)!.id).toBe('n9999');
  });

  it('shows a 10,000-node cycle abbreviated, starting at the first node', () => {
    const [issue] = issues(cycle(10_000)).filter((i) => i.code === 'cycle');
    expect(issue!.message).toMatch(/^cycle of 10000 nodes: n0 → n1 → .* → … 9981 more … → n9999 → n0$/);
  });

  it('finds a reference to a node that is upstream only through a long path', () => {
    const dag = chain(5000) as { nodes: Array<Record<string, unknown>> };
    dag.nodes[4999]!.input = '{{ nodes.n0.output }}';
    expect(issues(dag)).toEqual([]);
    dag.nodes[0]!.input = '{{ nodes.n4999.output }}';
    expect(issues(dag).map((i) => [i.path, i.code])).toEqual([['nodes[0].input', 'not_upstream']]);
  });

  it('answers far references exactly, past the quick checks', () => {
    // Each node reads the node 3 back; in a 2,000-node chain that takes the bitset pass.
    const dag = chain(2000) as { nodes: Array<Record<string, unknown>> };
    dag.nodes.forEach((n, i) => (n.input = i >= 3 ? `{{ nodes.n${i - 3}.output }}` : null));
    dag.nodes[1000]!.input = '{{ nodes.n1001.output }}';
    expect(issues(dag).map((i) => [i.path, i.code])).toEqual([['nodes[1000].input', 'not_upstream']]);
  });
});

describe('expression evaluation', () => {
  it('stops the recursive expression of issue 8 at the step bound', async () => {
    const err = await evaluateTemplate(`{{ ${RECURSIVE_EXPRESSION} }}`, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionLimitError);
    expect((err as ExpressionLimitError).limit).toBe('maxSteps');
  });

  it('stops deep recursion at the depth bound', async () => {
    const err = await evaluateTemplate('{{ ($f := function($n){ 1 + $f($n + 1) }; $f(0)) }}', ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionLimitError);
    expect((err as Error).message).toMatch(/nests deeper than 200 evaluation levels|took more than \d+ evaluation steps/);
  });

  it('refuses a result nested deeper than maxResultDepth, and too long a list', async () => {
    const deep = { ...ctx, input: { deep: nested(EXPRESSION_LIMITS.maxResultDepth + 1) } };
    await expect(evaluateTemplate('{{ input.deep }}', deep)).rejects.toThrow(`produced a value nested more than ${EXPRESSION_LIMITS.maxResultDepth} levels deep`);
    await expect(evaluateTemplate(`{{ [1..${EXPRESSION_LIMITS.maxArrayLength + 1}] }}`, ctx)).rejects.toThrow(`yielded a list of ${EXPRESSION_LIMITS.maxArrayLength + 1} items`);
  });

  it('still evaluates ordinary expressions, and each evaluation gets its own step budget', async () => {
    for (let i = 0; i < 5; i++) await expect(evaluateTemplate('{{ $sum($map([1..200], function($v){ $v * 2 })) }}', ctx)).resolves.toBe(40200);
  });
});
