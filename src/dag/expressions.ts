/**
 * `{{ expr }}` templates over JSONata. A string that is exactly one
 * `{{ expr }}` evaluates to the raw value; `{{ }}` inside a longer string
 * interpolates. Runs inside the workflow sandbox: JSONata uses no timers, and
 * its clock there is the workflow's clock.
 */
import jsonata from 'jsonata';

const WHOLE = /^\s*\{\{([\s\S]*?)\}\}\s*$/;
const SEGMENT = /\{\{([\s\S]*?)\}\}/g;

export interface ExpressionContext {
  input: unknown;
  nodes: Record<string, { output: unknown; state?: string }>;
  item?: unknown;
  index?: number;
  run: { id: string };
}

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly expression: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();

/** Compiles once per expression text; throws ExpressionError on a syntax error. */
export function compileExpression(expr: string): Compiled {
  let compiled = cache.get(expr);
  if (!compiled) {
    try {
      compiled = jsonata(expr);
    } catch (err) {
      const e = err as { message?: string; position?: number };
      throw new ExpressionError(`does not parse: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`, expr, e.position);
    }
    cache.set(expr, compiled);
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
  try {
    return (await compileExpression(expr).evaluate(context)) as unknown;
  } catch (err) {
    if (err instanceof ExpressionError) throw err;
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(`failed: ${e.message ?? String(err)}`, expr, e.position);
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
    return value === undefined ? null : normalize(value);
  }
  let out = '';
  let last = 0;
  for (const m of template.matchAll(SEGMENT)) {
    out += template.slice(last, m.index) + stringify(await evaluateExpression(m[1]!.trim(), context));
    last = m.index + m[0].length;
  }
  return out + template.slice(last);
}

/** JSONata sequences are arrays with extra flags; make them plain JSON. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
    return out;
  }
  return value;
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
