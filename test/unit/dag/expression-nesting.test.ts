/**
 * Bracket nesting in expressions has a fixed bound, checked before JSONata's
 * recursive parser runs: whether a definition validates must not depend on how
 * much stack the caller has left (a fuzz case once validated, then failed to
 * parse when started from a deeper stack).
 */
import { describe, expect, it } from 'vitest';
import { validateDag } from '../../../src/dag/validate';
import { compileExpression, expressionNesting, ExpressionError } from '../../../src/dag/expressions';
import { EXPRESSION_LIMITS } from '../../../src/dag/limits';

const nested = (levels: number): string => `${'('.repeat(levels)}1${')'.repeat(levels)}`;

function atStackDepth<T>(depth: number, fn: () => T): T {
  return depth === 0 ? fn() : atStackDepth(depth - 1, fn);
}

describe('expression nesting', () => {
  it('counts brackets outside strings and comments', () => {
    expect(expressionNesting('$map([1,2], function($x){ ($x) })')).toBe(3);
    expect(expressionNesting(`"((((" & '[[[' /* {{{{ */`)).toBe(0);
  });

  it(`accepts ${EXPRESSION_LIMITS.maxNesting} levels and refuses one more, with the path, at validation`, () => {
    const def = (levels: number) => ({ name: 'deep', nodes: [{ id: 'a', activity: 'noop', input: { v: `{{ ${nested(levels)} }}` } }] });
    expect(validateDag(def(EXPRESSION_LIMITS.maxNesting)).ok).toBe(true);
    const result = validateDag(def(EXPRESSION_LIMITS.maxNesting + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toMatchObject({ path: 'nodes[0].input.v', message: expect.stringContaining('nested too deeply') });
  });

  it('gives the same answer from a deep stack as from a shallow one', () => {
    const deep = nested(400);
    expect(() => compileExpression(deep)).toThrow(ExpressionError);
    expect(() => atStackDepth(5000, () => compileExpression(deep))).toThrow(/nested too deeply/);
  });
});
