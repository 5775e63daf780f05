/**
 * The definitions issue 8 found crashing, hanging or passing validation and
 * then failing. Each is a regression case: limits.test.ts checks what
 * validation says about it, and the fuzz suite mutates them further.
 */
export const RECURSIVE_EXPRESSION = 'function($x){$x($x)}(function($x){$x($x)})';

/** `depth` arrays nested inside each other. Built iteratively: the point is that nothing else recurses on it. */
export function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export function chain(n: number, name = 'chain'): Record<string, unknown> {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    activity: 'noop',
    ...(i > 0 ? { after: [`n${i - 1}`], input: `{{ nodes.n${i - 1}.output }}` } : {}),
  }));
  return { name, nodes };
}

/** A chain whose first node runs after its last. */
export function cycle(n: number): Record<string, unknown> {
  const dag = chain(n, 'cycle') as { nodes: Array<Record<string, unknown>> };
  dag.nodes[0]!.after = [`n${n - 1}`];
  return dag;
}

const one = (node: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'corpus',
  ...extra,
  nodes: [{ id: 'a', activity: 'noop', ...node }],
});

/** Each case, and the path and code validation must answer with (undefined: it must validate). */
export const CORPUS: Array<{ name: string; dag: () => unknown; path?: string | RegExp; code?: string }> = [
  { name: 'recursive expression (validates; bounded when it runs)', dag: () => one({ when: `{{ ${RECURSIVE_EXPRESSION} }}` }) },
  { name: '10,000-node chain', dag: () => chain(10_000) },
  { name: '10,000-node cycle', dag: () => cycle(10_000), path: 'nodes[0].after', code: 'cycle' },
  { name: '3,000-level nesting in an input', dag: () => one({ input: nested(3000) }), path: /^nodes\[0\]\.input(\[0\])+$/, code: 'too_deep' },
  { name: '10,000-level nesting in an input', dag: () => one({ input: nested(10_000) }), path: /^nodes\[0\]\.input(\[0\])+$/, code: 'too_deep' },
  { name: '10,000-level nesting in the output', dag: () => one({}, { output: nested(10_000) }), path: /^output(\[0\])+$/, code: 'too_deep' },
  { name: '10,000-level nesting in the input JSON Schema', dag: () => one({}, { input: { type: 'object', default: nested(10_000) } }), path: /^input\.default(\[0\])+$/, code: 'too_deep' },
  { name: 'timeout: 0', dag: () => one({ timeout: 0 }), path: 'nodes[0].timeout', code: 'bad_duration' },
  { name: 'heartbeat timeout 0', dag: () => one({ timeout: { heartbeat: '0s' } }), path: 'nodes[0].timeout.heartbeat', code: 'bad_duration' },
  { name: 'delay: 1e308', dag: () => one({ delay: 1e308 }), path: 'nodes[0].delay', code: 'bad_duration' },
  { name: 'delay: 1e15 (31,000 years)', dag: () => one({ delay: 1e15 }), path: 'nodes[0].delay', code: 'bad_duration' },
  { name: 'at: year 3000', dag: () => one({ at: '3000-01-01T00:00:00Z' }), path: 'nodes[0].at', code: 'bad_time' },
  { name: 'input schema maximum: "x"', dag: () => one({}, { input: { type: 'object', properties: { n: { maximum: 'x' } } } }), path: 'input.properties.n.maximum', code: 'bad_input_schema' },
  { name: 'input schema required: [1]', dag: () => one({}, { input: { type: 'object', required: [1] } }), path: 'input.required[0]', code: 'bad_input_schema' },
  { name: '1,000-character name', dag: () => ({ ...one({}), name: 'a'.repeat(1000) }), path: 'name', code: 'schema' },
  { name: '10,000-character name', dag: () => ({ ...one({}), name: 'a'.repeat(10_000) }), path: 'name', code: 'schema' },
  { name: '1,000-character node id', dag: () => one({ id: `a${'b'.repeat(999)}` }), path: 'nodes[0].id', code: 'schema' },
];
