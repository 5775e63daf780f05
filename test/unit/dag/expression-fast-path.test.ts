/**
 * The expression fast path must give exactly JSONata's answer, or the
 * commands a workflow emits would change under a replayed history: checked
 * against JSONata itself over random contexts (objects, arrays, nulls,
 * numbers, strings, missing keys, JSONata keywords and prototype names as
 * keys) and random plain paths and literals.
 */
import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { fastEvaluate, USE_JSONATA } from '../../../src/dag/expression-fast-path';
import { evaluateTemplate, type ExpressionContext } from '../../../src/dag/expressions';

/** Keys the contexts use and the paths ask for, so that paths often hit. */
const NAMES = ['a', 'b', 'c', 'x', 'output', 'body', 'id', 'url', 'and', 'or', 'in', 'true', 'false', 'null', 'function', 'constructor', 'toString', '__proto__', 'length', '_k', 'A1'];
const name = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,4}$/));

const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 4 }), fc.constant(undefined));
/** JSON values, with many objects and arrays of objects: the shapes where JSONata's paths differ from property reads. */
const json = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leaf, weight: 3 },
    { arbitrary: tie('object'), weight: 3 },
    { arbitrary: fc.array(tie('object'), { minLength: 1, maxLength: 3 }), weight: 2 },
    { arbitrary: fc.array(tie('value'), { maxLength: 3 }), weight: 1 },
  ),
  object: fc.dictionary(fc.constantFrom(...NAMES), tie('value'), { maxKeys: 4 }),
}));

const context: fc.Arbitrary<ExpressionContext> = fc.record(
  {
    input: json.value,
    nodes: fc.dictionary(fc.constantFrom('a', 'b', 'fetch', 'and', 'null'), fc.record({ output: json.value }), { maxKeys: 3 }),
    item: json.value,
    index: fc.nat(),
    run: fc.record({ id: fc.string({ maxLength: 6 }) }),
  },
  { requiredKeys: ['input', 'nodes', 'run'] },
);

/** Paths of random names: mostly misses. */
const path = fc
  .tuple(fc.constantFrom('input', 'nodes', 'item', 'index', 'run', 'a', 'true', 'null'), fc.array(name, { maxLength: 5 }))
  .map(([first, rest]) => [first, ...rest].join('.'));

/**
 * A path that follows the context's own keys, through objects and into the
 * elements of arrays (where JSONata maps), with a random name now and then.
 */
function walk(ctx: unknown, choices: readonly number[]): string {
  const steps: string[] = [];
  let here: unknown = ctx;
  for (const choice of choices) {
    const inside: unknown = Array.isArray(here) ? (here as unknown[]).find((e) => e !== null && typeof e === 'object' && !Array.isArray(e)) : here;
    const keys = inside !== null && typeof inside === 'object' ? Object.keys(inside) : [];
    const key = keys.length > 0 && choice % 5 !== 0 ? keys[choice % keys.length]! : NAMES[choice % NAMES.length]!;
    steps.push(key);
    here = keys.includes(key) ? (inside as Record<string, unknown>)[key] : undefined;
  }
  return steps.join('.');
}

/** A context and a path through it. */
const contextAndPath = context.chain((ctx) => fc.array(fc.nat(), { minLength: 1, maxLength: 6 }).map((choices) => [ctx, walk(ctx, choices)] as const));

const literal = fc.oneof(
  fc.double({ noNaN: true }).map((n) => String(n)),
  fc.integer().map(String),
  fc.constantFrom('true', 'false', 'null', '1e400', '-0', '0.5', '007', '"a\\"b"', "'it'", '"x y"', '""'),
  fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
);

async function jsonataAnswer(expr: string, ctx: unknown): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: (await jsonata(expr).evaluate(ctx)) as unknown };
  } catch (err) {
    return { error: String((err as Error).message ?? err) };
  }
}

describe('the expression fast path', () => {
  it('gives exactly what JSONata gives, for random plain paths and literals over random contexts', async () => {
    let answered = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(contextAndPath, contextAndPath, fc.tuple(context, fc.oneof(path, literal))), async ([ctx, expr]) => {
        total++;
        const fast = fastEvaluate(expr, ctx);
        if (fast === USE_JSONATA) return;
        answered++;
        const slow = await jsonataAnswer(expr, ctx);
        expect(slow.error).toBeUndefined();
        // The same value, and for objects the very same reference, as JSONata.
        expect(Object.is(fast, slow.value)).toBe(true);
      }),
      { numRuns: 3000, seed: 10_2026 },
    );
    // A property that never reaches the fast path proves nothing.
    expect(answered / total).toBeGreaterThan(0.5);
  });

  it('hands arrays, keywords, quoted names, escapes and operators to JSONata', () => {
    const ctx = { input: { list: [1], one: [{ a: 1 }], and: 1, s: 'text' }, nodes: {}, run: { id: 'r' } };
    for (const expr of ['input.list', 'input.one.a', 'input.and', 'input.`s`', '"a\\nb"', 'input.s & "x"', 'input . s', '1e400', '$x', 'input.s[0]']) {
      expect(fastEvaluate(expr, ctx)).toBe(USE_JSONATA);
    }
  });

  it('answers what JSONata answers for missing keys, fields of text and null, and inherited names', async () => {
    const ctx = { input: { s: 'text', n: null, o: {} }, nodes: {}, run: { id: 'r' } };
    for (const expr of ['input.missing', 'input.s.length', 'input.n.x', 'input.o.constructor', 'input.o.toString', 'item']) {
      expect(fastEvaluate(expr, ctx)).toBeUndefined();
      expect((await jsonataAnswer(expr, ctx)).value).toBeUndefined();
    }
  });

  it('keeps templates as they were: raw values, null for no match, interpolation', async () => {
    const ctx: ExpressionContext = { input: { x: { y: 2 }, s: 'a' }, nodes: { a: { output: { b: { c: 'deep' } } } }, run: { id: 'run-1' } };
    expect(await evaluateTemplate('{{ nodes.a.output.b.c }}', ctx)).toBe('deep');
    expect(await evaluateTemplate('{{ input.x }}', ctx)).toEqual({ y: 2 });
    expect(await evaluateTemplate('{{ input.nothing }}', ctx)).toBeNull();
    expect(await evaluateTemplate('{{ input.s }}-{{ run.id }}-{{ input.x }}-{{ 3 }}', ctx)).toBe('a-run-1-{"y":2}-3');
  });
});
