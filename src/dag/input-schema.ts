/**
 * The DAG's `input` JSON Schema, compiled once at validation, strictly: a
 * schema that would fail every start (`maximum: "x"`, `required: [1]`, a
 * misspelt keyword, an unknown format) is a validation issue with its path
 * inside the schema. The client compiles with the same settings when a run
 * starts (src/client/input-schema.ts), so what validates here compiles there.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { DagIssue } from './issues';

let shared: Ajv | undefined;

/**
 * Strict about keywords and formats (typos are the common mistake), lenient
 * about the style rules (strictTypes, strictTuples) that valid, working
 * schemas often break.
 */
export function inputSchemaAjv(): Ajv {
  if (!shared) {
    shared = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
    addFormats(shared);
  }
  return shared;
}

function pointerPath(base: string, pointer: string): string {
  let out = base;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function metaIssue(e: ErrorObject): DagIssue {
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  const detail = e.keyword === 'enum' && allowed ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : (e.message ?? e.keyword);
  return { path: pointerPath('input', e.instancePath), code: 'bad_input_schema', message: `invalid JSON Schema: ${detail}` };
}

/**
 * Compiles the schema; the function is usable after the schema leaves Ajv's
 * cache, which it does at once, so validating many definitions (or two with
 * the same `$id`) neither leaks nor collides.
 */
export function compileInputSchema(schema: Record<string, unknown>): ValidateFunction {
  const ajv = inputSchemaAjv();
  try {
    return ajv.compile(schema);
  } finally {
    ajv.removeSchema(schema);
    if (typeof schema.$id === 'string') ajv.removeSchema(schema.$id);
  }
}

/** Problems with the schema itself, each with its path under `input`. */
export function inputSchemaIssues(schema: unknown): DagIssue[] {
  if (schema === undefined) return [];
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return []; // the zod schema reports the type
  const ajv = inputSchemaAjv();
  const valid = ajv.validateSchema(schema);
  if (valid !== true) {
    const errors = ajv.errors ?? [];
    if (errors.length > 0) return dedupe(errors.map(metaIssue));
  }
  try {
    compileInputSchema(schema as Record<string, unknown>);
    return [];
  } catch (err) {
    return [{ path: 'input', code: 'bad_input_schema', message: `invalid JSON Schema: ${(err as Error).message}` }];
  }
}

/** Ajv explains a bad `type` three ways (enum, array, anyOf); the first is the one a person needs. */
function dedupe(issues: DagIssue[]): DagIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    if (seen.has(i.path)) return false;
    seen.add(i.path);
    return true;
  });
}
