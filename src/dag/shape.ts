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
  const stack: Frame[] = [{ value: raw, depth: 1, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    switch (typeof v) {
      case 'string':
        bytes += v.length + 2;
        if (v.length > limits.maxStringLength) {
          issues.push({ path: framePath(frame), code: 'too_long', message: `a string is at most ${limits.maxStringLength} characters (limits.maxStringLength), this one has ${v.length}` });
        }
        break;
      case 'number':
        if (!Number.isFinite(v)) issues.push({ path: framePath(frame), code: 'not_json', message: `expected a finite number, got ${String(v)}` });
        bytes += 8;
        break;
      case 'boolean':
        bytes += 5;
        break;
      case 'object':
        bytes += 4;
        if (v === null) break;
        if (frame.depth > limits.maxDepth) {
          fatal.push({ path: framePath(frame), code: 'too_deep', message: `values nest at most ${limits.maxDepth} levels deep (limits.maxDepth); this one is deeper` });
          return { fatal, issues };
        }
        if (Array.isArray(v)) {
          for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: frame.depth + 1, parent: frame, key: i });
          bytes += v.length;
        } else if (!isPlainObject(v)) {
          issues.push({ path: framePath(frame), code: 'not_json', message: `expected a JSON value, got a ${v.constructor?.name ?? 'non-plain'} object` });
        } else {
          const keys = Object.keys(v);
          for (let i = keys.length - 1; i >= 0; i--) {
            const k = keys[i]!;
            bytes += k.length + 4;
            stack.push({ value: (v as Record<string, unknown>)[k], depth: frame.depth + 1, parent: frame, key: k });
          }
        }
        break;
      case 'undefined':
        // An undefined property is what JSON.stringify drops; only flag it inside arrays.
        if (typeof frame.key === 'number') issues.push({ path: framePath(frame), code: 'not_json', message: 'expected a JSON value, got undefined' });
        break;
      default:
        issues.push({ path: framePath(frame), code: 'not_json', message: `expected a JSON value, got a ${typeof v}` });
    }
    if (bytes > limits.maxDefinitionBytes) {
      fatal.push({ path: '(root)', code: 'too_large', message: `a definition is at most ${limits.maxDefinitionBytes} bytes of JSON (limits.maxDefinitionBytes); this one is larger` });
      return { fatal, issues };
    }
    if (issues.length > limits.maxIssues) break;
  }
  return { fatal, issues };
}
