/**
 * Validation's view of an expression: does it parse, and which nodes does it
 * read through `nodes.<id>`. JSONata's parser costs about 0.2 ms per call, so
 * 100,000 distinct expressions would take 20 s. Expressions in big DAGs
 * mostly differ only in the node they read (`{{ nodes.n41.output + 1 }}`), so
 * each `nodes.<id>` is replaced by a numbered placeholder and the parse is
 * cached by that shape. The placeholders that come out of the AST as the
 * second step of a `nodes.…` path are the references; one inside a string
 * literal is not. A placeholder swaps one name for another, which never
 * changes whether or how the text parses.
 */
import jsonata from 'jsonata';
import { nestingProblem } from './expressions';

export type ExpressionAnalysis = { ok: true; refs: string[] } | { ok: false; message: string };

/** Names JSONata reads as operators or literals; left alone so the shape parses exactly as the text does. */
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);
/** Characters that end a JSONata name: operators, quotes and white space. */
const STOP = String.raw`\s.\[\](){}:;,?+\-*/%&|=<>!~^#@"'\``;
const REFERENCE = new RegExp(String.raw`(?<![^${STOP}])nodes(\s*\.\s*)(?:([A-Za-z_][A-Za-z0-9_]*)(?=$|[${STOP}])|\`([^\`]*)\`)`, 'g');
const PLACEHOLDER = /^__weftref(\d+)$/;

type Shape = { ok: true; slots: number[] } | { ok: false };
const SHAPE_CACHE_SIZE = 10_000;
/** Long shapes are rare and would make the cache's memory depend on the input; they are parsed each time. */
const MAX_CACHED_SHAPE = 1000;
const shapes = new Map<string, Shape>();

interface AstLike {
  type?: string;
  value?: unknown;
  steps?: AstLike[];
}

/** The placeholder numbers that are path steps right after a leading `nodes`; iterative, as the AST may be deep. */
function referenceSlots(ast: unknown): number[] {
  const slots: number[] = [];
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const v of node) stack.push(v);
      continue;
    }
    const n = node as AstLike;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const [first, second] = n.steps;
      if (first?.type === 'name' && first.value === 'nodes' && second?.type === 'name' && typeof second.value === 'string') {
        const m = PLACEHOLDER.exec(second.value);
        if (m) slots.push(Number(m[1]));
      }
    }
    for (const v of Object.values(n)) if (v && typeof v === 'object') stack.push(v);
  }
  return slots;
}

function parseMessage(expr: string): string {
  const tooDeep = nestingProblem(expr);
  if (tooDeep) return tooDeep;
  try {
    jsonata(expr);
    return 'does not parse';
  } catch (err) {
    if (err instanceof RangeError) return 'is nested too deeply to parse';
    const e = err as { message?: string; position?: number };
    return `does not parse: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`;
  }
}

function shapeOf(shape: string): Shape {
  const cached = shapes.get(shape);
  if (cached) return cached;
  let result: Shape;
  try {
    if (nestingProblem(shape)) throw new RangeError('nested too deeply');
    result = { ok: true, slots: referenceSlots(jsonata(shape).ast()) };
  } catch {
    result = { ok: false };
  }
  if (shape.length > MAX_CACHED_SHAPE) return result;
  if (shapes.size >= SHAPE_CACHE_SIZE) shapes.delete(shapes.keys().next().value!);
  shapes.set(shape, result);
  return result;
}

/** Whether `expr` parses, and the ids it reads through `nodes.<id>` (in order, possibly repeated). */
export function analyzeExpression(expr: string): ExpressionAnalysis {
  const ids: string[] = [];
  const shape = expr.replace(REFERENCE, (whole, dot: string, name: string | undefined, quoted: string | undefined) => {
    const id = name ?? quoted!;
    if (name !== undefined && RESERVED.has(name)) return whole;
    ids.push(id);
    return `nodes${dot}__weftref${ids.length - 1}`;
  });
  const parsed = shapeOf(shape);
  if (!parsed.ok) return { ok: false, message: parseMessage(expr) };
  return { ok: true, refs: parsed.slots.map((k) => ids[k]!) };
}
