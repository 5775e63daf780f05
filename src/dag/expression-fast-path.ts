/**
 * Answers the commonest expressions without JSONata: plain paths through
 * objects (`input.x`, `nodes.a.output.b.c`, `item.url`, `run.id`) and
 * literals (`42`, `"text"`, `true`, `null`). Most node inputs are such
 * templates, and JSONata spends a few promises and evaluation steps on each.
 *
 * The answer must be EXACTLY JSONata's, or the commands a workflow emits
 * would change under a replayed history. So this walks only where JSONata's
 * path step is a plain property read (its `lookup`: an own property of a
 * non-array object, else nothing) and hands everything else back to JSONata:
 * any array on the way or at the end (JSONata maps over arrays, flattens and
 * unwraps singletons), names that are JSONata keywords or need backticks, and
 * literals JSONata could read differently (escapes, numbers that overflow).
 * test/unit/dag/expression-fast-path.test.ts checks this against JSONata with
 * random contexts and paths.
 */

/** Returned when JSONata must answer. */
export const USE_JSONATA: unique symbol = Symbol('use JSONata');

type Plan = { kind: 'path'; steps: readonly string[] } | { kind: 'value'; value: string | number | boolean | null } | typeof USE_JSONATA;

/** A JSONata name that needs no backticks. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words JSONata reads as operators or literals even after a dot. */
const KEYWORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
/** JSONata's number literal (its tokenizer's own pattern); a leading minus is its unary operator, which yields the same number. */
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
/** Quoted text with no escapes: JSONata unescapes `\`, so those go to it. */
const STRING = /^"([^"\\]*)"$|^'([^'\\]*)'$/;
/** Longer paths are rare; JSONata bounds their depth itself. */
const MAX_STEPS = 64;

const plans = new Map<string, Plan>();
/** Bounded like the compiled-expression cache, for the same reason. */
const MAX_PLANS = 5000;

function planOf(expr: string): Plan {
  if (expr === 'true' || expr === 'false') return { kind: 'value', value: expr === 'true' };
  if (expr === 'null') return { kind: 'value', value: null };
  if (NUMBER.test(expr)) {
    const n = Number(expr);
    return Number.isFinite(n) ? { kind: 'value', value: n } : USE_JSONATA;
  }
  const quoted = STRING.exec(expr);
  if (quoted) return { kind: 'value', value: quoted[1] ?? quoted[2]! };
  const steps = expr.split('.');
  if (steps.length > MAX_STEPS || !steps.every((s) => NAME.test(s) && !KEYWORDS.has(s))) return USE_JSONATA;
  return { kind: 'path', steps };
}

function cachedPlan(expr: string): Plan {
  let plan = plans.get(expr);
  if (plan === undefined) {
    plan = planOf(expr);
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value!);
    plans.set(expr, plan);
  }
  return plan;
}

/**
 * JSONata's answer for `expr` (already trimmed, without the braces) against
 * `context`, or USE_JSONATA when this cannot be sure of it. `undefined` is
 * JSONata's "no match", as from JSONata itself.
 */
export function fastEvaluate(expr: string, context: unknown): unknown {
  const plan = cachedPlan(expr);
  if (plan === USE_JSONATA) return USE_JSONATA;
  if (plan.kind === 'value') return plan.value;
  let value: unknown = context;
  for (const step of plan.steps) {
    if (Array.isArray(value)) return USE_JSONATA;
    // JSONata's lookup: an own property of an object; anything else (null, a string, a number) has no fields.
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  if (Array.isArray(value) || typeof value === 'function') return USE_JSONATA;
  return value;
}
