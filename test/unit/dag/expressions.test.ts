/** `{{ }}` templates over JSONata: raw values, interpolation, nested JSON, references, errors. */
import { describe, expect, it } from 'vitest';
import {
  collectTemplates,
  compileExpression,
  evaluateTemplate,
  evaluateValue,
  ExpressionError,
  isTruthy,
  referencedNodes,
  templateExpressions,
  type ExpressionContext,
} from '../../../src/dag/expressions';

const context: ExpressionContext = {
  input: { name: 'Ada', count: 3, tags: ['a', 'b'] },
  nodes: {
    fetch: { output: { status: 200, body: { images: ['1.png', '2.png'] } } },
    'fetch-page': { output: 'page' },
  },
  item: { url: 'x.png' },
  index: 4,
  run: { id: 'run-1' },
};

describe('evaluateTemplate', () => {
  it('returns the raw value when the string is exactly one {{ expression }}', async () => {
    expect(await evaluateTemplate('{{ input.count }}', context)).toBe(3);
    expect(await evaluateTemplate('{{ nodes.fetch.output.body }}', context)).toEqual({ images: ['1.png', '2.png'] });
  });

  it('ignores whitespace around a raw {{ expression }}', async () => {
    expect(await evaluateTemplate('  {{input.count}}  ', context)).toBe(3);
  });

  it('interpolates {{ }} inside a longer string, giving a string', async () => {
    expect(await evaluateTemplate('Hello {{ input.name }}, {{ input.count }} new', context)).toBe('Hello Ada, 3 new');
  });

  it('writes objects and lists as JSON when interpolating', async () => {
    expect(await evaluateTemplate('tags={{ input.tags }}', context)).toBe('tags=["a","b"]');
  });

  it('interpolates a missing value as an empty string', async () => {
    expect(await evaluateTemplate('[{{ input.missing }}]', context)).toBe('[]');
  });

  it('gives null, not undefined, for a raw expression that matches nothing', async () => {
    expect(await evaluateTemplate('{{ input.missing }}', context)).toBeNull();
  });

  it('returns a plain array for a JSONata sequence', async () => {
    const images = await evaluateTemplate('{{ nodes.fetch.output.body.images }}', context);
    expect(Array.isArray(images)).toBe(true);
    expect(images).toStrictEqual(['1.png', '2.png']);
  });

  it('reads item, index and run.id', async () => {
    expect(await evaluateTemplate('{{ item.url }}#{{ index }} in {{ run.id }}', context)).toBe('x.png#4 in run-1');
  });

  it('reads a node id with "-" through backticks', async () => {
    expect(await evaluateTemplate('{{ nodes.`fetch-page`.output }}', context)).toBe('page');
  });

  it('evaluates JSONata functions and operators', async () => {
    expect(await evaluateTemplate('{{ $count(nodes.fetch.output.body.images) > 1 }}', context)).toBe(true);
  });

  it('rejects with an ExpressionError when evaluation fails', async () => {
    await expect(evaluateTemplate('{{ $number("x") }}', context)).rejects.toBeInstanceOf(ExpressionError);
  });
});

describe('evaluateValue', () => {
  it('evaluates every template in nested objects and lists and leaves literals alone', async () => {
    const value = {
      method: 'POST',
      url: 'https://api.example.com/users/{{ input.name }}',
      body: { count: '{{ input.count }}', first: ['{{ nodes.fetch.output.body.images[0] }}', 7, null, true] },
    };
    expect(await evaluateValue(value, context)).toEqual({
      method: 'POST',
      url: 'https://api.example.com/users/Ada',
      body: { count: 3, first: ['1.png', 7, null, true] },
    });
  });

  it('does not change the value it was given', async () => {
    const value = { a: '{{ input.count }}' };
    await evaluateValue(value, context);
    expect(value).toEqual({ a: '{{ input.count }}' });
  });
});

describe('referencedNodes', () => {
  it('finds the nodes an expression reads through nodes.<id>', () => {
    expect([...referencedNodes('$count(nodes.resize.output) + $sum(nodes.fetch.output.sizes)')].sort()).toEqual(['fetch', 'resize']);
  });

  it('finds a backticked node id', () => {
    expect([...referencedNodes('nodes.`fetch-page`.output.body')]).toEqual(['fetch-page']);
  });

  it('does not count a "nodes" field that is not at the root', () => {
    expect([...referencedNodes('input.nodes.a')]).toEqual([]);
  });

  it('finds references inside conditions and object constructors', () => {
    expect([...referencedNodes('nodes.a.output.ok ? { "v": nodes.b.output } : nodes.c.output')].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('expression parse errors', () => {
  it('throws an ExpressionError with the expression and position', () => {
    let error: unknown;
    try {
      compileExpression('$count(');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).expression).toBe('$count(');
    expect((error as ExpressionError).position).toBeTypeOf('number');
    expect((error as ExpressionError).message).toMatch(/^does not parse: .*\(at character \d+\)$/);
  });

  it('throws from referencedNodes too, since it reads the parsed expression', () => {
    expect(() => referencedNodes('nodes.a.output +')).toThrow(ExpressionError);
  });
});

describe('template helpers', () => {
  it('lists one expression for a raw template and each segment for an interpolation', () => {
    expect(templateExpressions('{{ input.a }}')).toEqual(['input.a']);
    expect(templateExpressions('{{ input.a }}-{{ input.b }}')).toEqual(['input.a', 'input.b']);
  });

  it('collects every template in a JSON value with its path', () => {
    expect(collectTemplates({ url: '{{ input.u }}', body: { list: ['x', '{{ item }}'] }, n: 1 })).toEqual([
      { path: 'url', template: '{{ input.u }}' },
      { path: 'body.list[1]', template: '{{ item }}' },
    ]);
  });

  it('treats an empty list, false, 0, "" and null as false for "when"', () => {
    expect([[], false, 0, '', null, undefined].map(isTruthy)).toEqual([false, false, false, false, false, false]);
    expect([[0], true, 1, 'x', {}].map(isTruthy)).toEqual([true, true, true, true, true]);
  });
});
