/**
 * The first look at a definition: how big, how deep, and whether it is JSON at
 * all. It walks the value with an explicit stack, never recursion, so a
 * 10,000-level value or a cyclic object is reported with its path rather than
 * crashing with a RangeError. Everything after it (zod, template scans, the
 * hash) recurses, and may, because this check ran first.
 */
import type { DagLimits } from './limits';
import type { DagIssue } from './issues';

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

/** `nodes[3].input.a.b`, built only when an issue needs it. */
export function framePath(frame: Frame | undefined): string {
  const keys: Array<string | number> = [];
  for (let f = frame; f && f.key !== undefined; f = f.parent) keys.push(f.key);
  let out = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!;
    out += typeof k === 'number' ? `[${k}]` : out ? `.${k}` : k;
  }
  return out || '(root)';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export interface ShapeResult {
  /** Problems that make the rest of validation unsafe or pointless: stop after these. */
  fatal: DagIssue[];
  /** Problems worth reporting with the others. */
  issues: DagIssue[];
}

/**
 * Checks size, depth, string lengths and JSON-ness. `fatal` is non-empty when
 * the definition is too large or too deep to look at further.
 */
export function checkShape(raw: unknown, limits: DagLimits): ShapeResult {
  const fatal: DagIssue[] = [];
  const issues: DagIssue[] = [];
  const nodes = raw && typeof raw === 'object' ? (raw as { nodes?: unknown }).nodes : undefined;
  if (Array.isArray(nodes) && nodes.length > limits.maxNodes) {
    fatal.push({ path: 'nodes', code: 'too_many_nodes', message: `a DAG has at most ${limits.maxNodes} nodes (ValidateOptions.limits.maxNodes), this one has ${nodes.length}` });
    return { fatal, issues };
  }
  let bytes = 0;
  const tooDeep = (frame: Frame): ShapeResult => {
    fatal.push({ path: framePath(frame), code: 'too_deep', message: `values nest at most ${limits.maxDepth} levels deep (limits.maxDepth); this one is deeper` });
    return { fatal, issues };
  };
  // Scalars are checked where they are met, so only objects and arrays take a frame:
  // a 100,000-node definition has millions of values, and most are scalars.
  const visit = (value: unknown, parent: Frame | undefined, key: string | number | undefined, depth: number, stack: Frame[]): void => {
    switch (typeof value) {
      case 'string':
        bytes += value.length + 2;
        if (value.length > limits.maxStringLength) {
          issues.push({ path: framePath({ value, depth, parent, key }), code: 'too_long', message: `a string is at most ${limits.maxStringLength} characters (limits.maxStringLength), this one has ${value.length}` });
        }
        return;
      case 'number':
        bytes += 8;
        if (!Number.isFinite(value)) issues.push({ path: framePath({ value, depth, parent, key }), code: 'not_json', message: `expected a finite number, got ${String(value)}` });
        return;
      case 'boolean':
        bytes += 5;
        return;
      case 'object':
        bytes += 4;
        if (value !== null) stack.push({ value, depth, parent, key });
        return;
      case 'undefined':
        // An undefined property is what JSON.stringify drops; only flag it inside arrays.
        if (typeof key === 'number') issues.push({ path: framePath({ value, depth, parent, key }), code: 'not_json', message: 'expected a JSON value, got undefined' });
        return;
      default:
        issues.push({ path: framePath({ value, depth, parent, key }), code: 'not_json', message: `expected a JSON value, got a ${typeof value}` });
    }
  };
  const stack: Frame[] = [];
  visit(raw, undefined, undefined, 1, stack);
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value as object;
    if (frame.depth > limits.maxDepth) return tooDeep(frame);
    const depth = frame.depth + 1;
    if (Array.isArray(v)) {
      bytes += v.length;
      for (let i = v.length - 1; i >= 0; i--) visit(v[i], frame, i, depth, stack);
    } else if (!isPlainObject(v)) {
      issues.push({ path: framePath(frame), code: 'not_json', message: `expected a JSON value, got a ${(v.constructor as { name?: string } | undefined)?.name ?? 'non-plain'} object` });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        bytes += k.length + 4;
        visit((v as Record<string, unknown>)[k], frame, k, depth, stack);
      }
    }
    if (bytes > limits.maxDefinitionBytes) {
      fatal.push({ path: '(root)', code: 'too_large', message: `a definition is at most ${limits.maxDefinitionBytes} bytes of JSON (limits.maxDefinitionBytes); this one is larger` });
      return { fatal, issues };
    }
    if (issues.length > limits.maxIssues) break;
  }
  return { fatal, issues };
}
