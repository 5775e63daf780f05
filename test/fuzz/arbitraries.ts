/**
 * Definitions for the fuzz suite: the example DAGs and the corpus of issue 8,
 * mutated the ways a careless user or an attacker would: values of the wrong
 * type, fields removed or added, cycles, deep nesting, huge graphs, extreme
 * numbers and hostile expressions.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDefinitionText } from '../../src/dag/parse';
import { RECURSIVE_EXPRESSION, chain, nested } from './corpus';

type Json = Record<string, unknown>;

const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** Every examples/<name>/dag.yaml, parsed. */
export function exampleDefinitions(): Json[] {
  return readdirSync(EXAMPLES)
    .map((dir) => join(EXAMPLES, dir, 'dag.yaml'))
    .filter((file) => existsSync(file))
    .map((file) => parseDefinitionText(readFileSync(file, 'utf8'), { filename: file }) as Json);
}

const HOSTILE = [
  `{{ ${RECURSIVE_EXPRESSION} }}`,
  '{{ ($f := function($n){ 1 + $f($n + 1) }; $f(0)) }}',
  '{{ ($f := function($s){ $f($s & $s) }; $f("ab")) }}',
  '{{ [1..10000000] }}',
  '{{ $count( }}',
  '{{ }}',
  '{{ nodes.ghost.output }}',
  '{{ nodes.fetch.output }}',
  '{{ nodes.`a-b`.output }}',
  '{{ $eval("1 +") }}',
  `{{ ${'('.repeat(2000)}1${')'.repeat(2000)} }}`,
  '{{ input.x }} and {{ item }}',
  '{{',
  '}}{{',
  'nodes.a.output',
];

const EXTREME_NUMBERS = [0, -1, 0.5, 1e308, -1e308, 1e15, Number.MAX_SAFE_INTEGER, 2 ** 31, NaN, Infinity];
const FIELDS = ['id', 'activity', 'after', 'input', 'when', 'delay', 'at', 'timeout', 'retry', 'map', 'type', 'trigger', 'onError', 'notify', 'compensate', 'taskQueue', 'priority', 'askTimeout', 'description'];
const DAG_FIELDS = ['name', 'description', 'input', 'defaults', 'concurrency', 'onFailure', 'output', 'nodes'];

/** A mutation takes a definition (already a private copy) and changes it in place or returns a new one. */
type Mutation = (dag: Json) => Json;

const nodesOf = (dag: Json): Json[] => (Array.isArray(dag.nodes) ? (dag.nodes as unknown[]).filter((n): n is Json => !!n && typeof n === 'object' && !Array.isArray(n)) : []);

function pick<T>(list: readonly T[], r: number): T | undefined {
  return list.length ? list[Math.floor(r * list.length) % list.length] : undefined;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A node field gets a value of any JSON type.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...FIELDS), jsonValue).map(([r, f, v]): Mutation => (dag) => {
    const n = pick(nodesOf(dag), r);
    if (n) n[f] = v;
    return dag;
  }),
  // A DAG field gets a value of any JSON type, or goes away.
  fc.tuple(fc.constantFrom(...DAG_FIELDS), fc.option(jsonValue)).map(([f, v]): Mutation => (dag) => {
    if (v === null) delete dag[f];
    else dag[f] = v;
    return dag;
  }),
  // A node field goes away, or an unknown one appears.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...FIELDS, 'colour')).map(([r, f]): Mutation => (dag) => {
    const n = pick(nodesOf(dag), r);
    if (n) {
      if (f in n) delete n[f];
      else n[f] = 'blue';
    }
    return dag;
  }),
  // An extreme number where numbers and durations go.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('delay', 'timeout', 'priority', 'askTimeout'), fc.constantFrom(...EXTREME_NUMBERS)).map(([r, f, v]): Mutation => (dag) => {
    const n = pick(nodesOf(dag), r);
    if (n) n[f] = v;
    return dag;
  }),
  fc.tuple(fc.constantFrom('concurrency'), fc.constantFrom(...EXTREME_NUMBERS)).map(([f, v]): Mutation => (dag) => ({ ...dag, [f]: v })),
  // A cycle: an early node runs after a later one.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b]): Mutation => (dag) => {
    const nodes = nodesOf(dag);
    const from = pick(nodes, Math.min(a, b));
    const to = pick(nodes, Math.max(a, b));
    if (from && to && typeof to.id === 'string') from.after = [...(Array.isArray(from.after) ? from.after : []), to.id];
    return dag;
  }),
  // Deep nesting in an input, the output or the input schema.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(10, 63, 65, 300, 3000, 10_000), fc.constantFrom('node', 'output', 'schema')).map(([r, depth, where]): Mutation => (dag) => {
    if (where === 'output') dag.output = nested(depth);
    else if (where === 'schema') dag.input = { type: 'object', default: nested(depth) };
    else {
      const n = pick(nodesOf(dag), r);
      if (n) n.input = nested(depth);
    }
    return dag;
  }),
  // A hostile or broken expression where expressions go.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('when', 'input', 'delay', 'at', 'map', 'output'), fc.constantFrom(...HOSTILE)).map(([r, f, expr]): Mutation => (dag) => {
    if (f === 'output') {
      dag.output = expr;
      return dag;
    }
    const n = pick(nodesOf(dag), r);
    if (n) n[f] = f === 'map' ? { items: expr } : f === 'input' ? { value: expr } : expr;
    return dag;
  }),
  // Long names and ids.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(128, 129, 200, 201, 1000, 10_000)).map(([r, len]): Mutation => (dag) => {
    if (r < 0.5) dag.name = 'n'.repeat(len);
    else {
      const n = pick(nodesOf(dag), r);
      if (n) n.id = `a${'b'.repeat(len - 1)}`;
    }
    return dag;
  }),
);

/** Rarely, a huge graph in place of the nodes. */
const hugeGraph: fc.Arbitrary<Mutation> = fc.constantFrom(300, 1500).map((size): Mutation => (dag) => ({ ...dag, nodes: chain(size).nodes }));

const anyMutation = fc.oneof({ arbitrary: mutation, weight: 99 }, { arbitrary: hugeGraph, weight: 1 });

/** A definition: an example or a small corpus case, with 1 to 4 mutations applied. */
export const mutatedDefinition = (bases: readonly Json[]): fc.Arbitrary<unknown> =>
  fc.tuple(fc.constantFrom(...bases), fc.array(anyMutation, { minLength: 1, maxLength: 4 })).map(([base, mutations]) => {
    let dag = structuredClone(base);
    for (const m of mutations) dag = m(dag);
    return dag;
  });

/** Shapes from nothing: anything JSON, or something DAG-like with random fields. */
export const arbitraryDefinition: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    name: fc.oneof(fc.string(), fc.constantFrom('ok', 'a.b-c_d')),
    nodes: fc.array(
      fc.record(
        {
          id: fc.oneof(fc.constantFrom('a', 'b', 'c', 'd'), fc.string()),
          activity: fc.oneof(fc.constant('noop'), fc.string()),
          after: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'x')),
          input: fc.oneof(jsonValue, fc.constantFrom(...HOSTILE)),
          when: fc.constantFrom(...HOSTILE, 'true', '{{ input.flag }}'),
          timeout: fc.oneof(fc.constantFrom('1s', '0s', 'soon', '1h30m'), fc.constantFrom(...EXTREME_NUMBERS)),
        },
        { requiredKeys: ['id'] },
      ),
      { maxLength: 6 },
    ),
  }),
);
