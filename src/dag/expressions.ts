/**
 * `{{ expr }}` templates over JSONata. A string that is exactly one
 * `{{ expr }}` evaluates to the raw value; `{{ }}` inside a longer string
 * interpolates. Runs inside the workflow sandbox: JSONata uses no timers, and
 * its clock there is the workflow's clock.
 *
 * Every evaluation is bounded (EXPRESSION_LIMITS): depth, steps, and the size
 * of what each step produces. Past a bound it throws ExpressionLimitError,
 * which the runner turns into a failed node; the worker never sees it.
 */
import type JsonataModule from 'jsonata';
import { ExpressionError, ExpressionLimitError, failWorkflowTask, shown, StackCaptureCostError, stackCaptureOn, StepBudget } from './expression-budget';
import { fastEvaluate, USE_JSONATA } from './expression-fast-path';
import { EXPRESSION_LIMITS } from './limits';

const WHOLE = /^\s*\{\{([\s\S]*?)\}\}\s*$/;
const SEGMENT = /\{\{([\s\S]*?)\}\}/g;

export { ExpressionError, ExpressionLimitError, StackCaptureCostError };

export interface ExpressionContext {
  input: unknown;
  nodes: Record<string, { output: unknown; state?: string }>;
  item?: unknown;
  index?: number;
  run: { id: string };
}

type Compiled = ReturnType<typeof JsonataModule>;

/**
 * JSONata, loaded on the first expression the fast path cannot answer. The
 * workflow sandbox sets up every module of its bundle again for each run
 * (@temporalio/worker's reusable context keeps one module cache per run), and
 * JSONata's set-up (its parser tables, the signatures of its ~60 functions) was
 * the costliest of Weft's modules: a run whose templates are all plain paths,
 * or that has none, never pays it (BENCHMARKS.md, section 15).
 */
let jsonataFn: typeof JsonataModule | undefined;
function jsonata(expr: string, budget: StepBudget): Compiled {
  // A require() at the call, not an import: webpack still bundles the module, but runs its top-level code only here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jsonataFn ??= require('jsonata') as typeof JsonataModule;
  return jsonataFn(expr, budget);
}
/** Bounded, so a long-lived API or worker that sees many distinct expressions does not grow without end. */
const CACHE_SIZE = 5000;
const MAX_CACHED_EXPRESSION = 2000;
const cache = new Map<string, Compiled>();

const budgets = new WeakMap<Compiled, StepBudget>();

/**
 * The deepest bracket nesting in an expression's text, outside string
 * literals and comments; checked before JSONata's recursive parser runs, so
 * the answer never depends on the stack left (see EXPRESSION_LIMITS.maxNesting).
 */
export function expressionNesting(expr: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < expr.length && expr[i] !== c; i++) if (expr[i] === '\\') i++;
    } else if (c === '/' && expr[i + 1] === '*') {
      const end = expr.indexOf('*/', i + 2);
      i = end === -1 ? expr.length : end + 1;
    } else if (c === '(' || c === '[' || c === '{') {
      deepest = Math.max(deepest, ++depth);
    } else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

/** The message for an expression nested past the bound, or undefined. */
export function nestingProblem(expr: string): string | undefined {
  return expressionNesting(expr) > EXPRESSION_LIMITS.maxNesting ? `is nested too deeply to parse (more than ${EXPRESSION_LIMITS.maxNesting} levels of brackets)` : undefined;
}

/** Compiles once per expression text; throws ExpressionError on a syntax error. */
export function compileExpression(expr: string): Compiled {
  let compiled = cache.get(expr);
  if (!compiled) {
    const tooDeep = nestingProblem(expr);
    if (tooDeep) throw new ExpressionError(tooDeep, expr);
    const budget = new StepBudget(expr);
    try {
      compiled = jsonata(expr, budget);
    } catch (err) {
      const e = err as { message?: string; position?: number };
      const why = err instanceof RangeError ? 'is nested too deeply to parse' : `does not parse: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`;
      throw new ExpressionError(why, expr, e.position);
    }
    budgets.set(compiled, budget);
    // Long expressions are rare; caching them would make memory depend on the input.
    if (expr.length <= MAX_CACHED_EXPRESSION) {
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(expr, compiled);
    }
  }
  return compiled;
}

/** True when the string contains `{{`, i.e. it is a template rather than a literal. */
export function isTemplate(value: string): boolean {
  return value.includes('{{');
}

/** The expressions inside a template string (one for a raw `{{ x }}`). */
export function templateExpressions(value: string): string[] {
  const whole = WHOLE.exec(value);
  if (whole && !whole[1]!.includes('{{')) return [whole[1]!.trim()];
  return [...value.matchAll(SEGMENT)].map((m) => m[1]!.trim());
}

/** Every template string in a JSON value, with its JSON path suffix. */
export function collectTemplates(value: unknown, path = ''): Array<{ path: string; template: string }> {
  if (typeof value === 'string') return isTemplate(value) ? [{ path, template: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => collectTemplates(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => collectTemplates(v, path ? `${path}.${k}` : k));
  }
  return [];
}

interface AstNode {
  type?: string;
  value?: unknown;
  steps?: AstNode[];
  [key: string]: unknown;
}

/** Node ids an expression reads through `nodes.<id>`. */
export function referencedNodes(expr: string): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const [first, second] = n.steps;
      if (first?.type === 'name' && first.value === 'nodes' && second?.type === 'name' && typeof second.value === 'string') {
        found.add(second.value);
      }
    }
    for (const v of Object.values(n)) if (v && typeof v === 'object') visit(v);
  };
  visit(compileExpression(expr).ast());
  return found;
}

async function evaluateExpression(expr: string, context: ExpressionContext): Promise<unknown> {
  const fast = fastEvaluate(expr, context);
  if (fast !== USE_JSONATA) {
    checkSize(fast, expr);
    return fast;
  }
  const compiled = compileExpression(expr);
  const budget = budgets.get(compiled)!;
  budget.steps = 0;
  budget.ceiling = stackCaptureOn() ? EXPRESSION_LIMITS.maxStepsWithStackTraces : EXPRESSION_LIMITS.maxSteps;
  let value: unknown;
  try {
    value = (await compiled.evaluate(context)) as unknown;
  } catch (err) {
    if (err instanceof StackCaptureCostError) return failWorkflowTask(err);
    if (err instanceof ExpressionError) throw err;
    const e = err as { message?: string; position?: number; code?: string };
    if (e.code === 'D1011') {
      throw new ExpressionLimitError(`expression "${shown(expr)}" nests deeper than ${EXPRESSION_LIMITS.maxDepth} evaluation levels; is it recursive without end?`, expr, 'maxDepth');
    }
    throw new ExpressionError(`failed: ${e.message ?? String(err)}`, expr, e.position);
  }
  checkSize(value, expr);
  return value;
}

/** The result's own size; a step can only build so much before the step bound stops it. */
function checkSize(value: unknown, expr: string): void {
  if (typeof value === 'string' && value.length > EXPRESSION_LIMITS.maxStringLength) {
    throw new ExpressionLimitError(`expression "${shown(expr)}" yielded a string of ${value.length} characters; the limit is ${EXPRESSION_LIMITS.maxStringLength}`, expr, 'maxStringLength');
  }
  if (Array.isArray(value) && value.length > EXPRESSION_LIMITS.maxArrayLength) {
    throw new ExpressionLimitError(`expression "${shown(expr)}" yielded a list of ${value.length} items; the limit is ${EXPRESSION_LIMITS.maxArrayLength}`, expr, 'maxArrayLength');
  }
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Evaluates one template string: raw value for `{{ x }}`, a string otherwise. */
export async function evaluateTemplate(template: string, context: ExpressionContext): Promise<unknown> {
  const whole = WHOLE.exec(template);
  if (whole && !whole[1]!.includes('{{')) {
    const value = await evaluateExpression(whole[1]!.trim(), context);
    // JSONata yields undefined for "no match"; JSON has null.
    return value === undefined ? null : normalize(value, whole[1]!.trim());
  }
  let out = '';
  let last = 0;
  for (const m of template.matchAll(SEGMENT)) {
    out += template.slice(last, m.index) + stringify(await evaluateExpression(m[1]!.trim(), context));
    last = m.index + m[0].length;
  }
  return out + template.slice(last);
}

/**
 * JSONata sequences are arrays with extra flags; make them plain JSON. A loop
 * can build a value nested far deeper than any recursion (or Temporal's
 * payload converter) survives, so this copy is iterative and bounded.
 */
function normalize(value: unknown, expr: string): unknown {
  if (!value || typeof value !== 'object') return value;
  const copy = (v: object): Record<string, unknown> | unknown[] => (Array.isArray(v) ? new Array<unknown>(v.length) : {});
  const root = copy(value);
  const stack: Array<[object, Record<string, unknown> | unknown[], number]> = [[value, root, 1]];
  while (stack.length > 0) {
    const [src, dst, depth] = stack.pop()!;
    if (depth > EXPRESSION_LIMITS.maxResultDepth) {
      throw new ExpressionLimitError(`expression "${shown(expr)}" produced a value nested more than ${EXPRESSION_LIMITS.maxResultDepth} levels deep`, expr, 'maxResultDepth');
    }
    // Index by index for arrays: a sequence's own flags (`sequence`, `keepSingleton`) are not data.
    const keys = Array.isArray(src) ? src.keys() : Object.keys(src);
    for (const k of keys) {
      const v = (src as Record<string | number, unknown>)[k];
      let out = v;
      if (v && typeof v === 'object') {
        out = copy(v);
        stack.push([v, out as Record<string, unknown> | unknown[], depth + 1]);
      }
      (dst as Record<string | number, unknown>)[k] = out;
    }
  }
  return root;
}

/** Evaluates every template inside a JSON value, leaving literals as they are. */
export async function evaluateValue(value: unknown, context: ExpressionContext): Promise<unknown> {
  if (typeof value === 'string') return isTemplate(value) ? evaluateTemplate(value, context) : value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await evaluateValue(v, context));
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluateValue(v, context);
    return out;
  }
  return value;
}

/** `when` semantics: JSONata truthiness, with undefined (no match) as false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
