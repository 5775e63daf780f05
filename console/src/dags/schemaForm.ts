/**
 * The start form's model, generated from a DAG's input JSON Schema. It
 * covers the shapes people write by hand: an object of strings, numbers,
 * integers, booleans, enums and arrays of those. Anything else is edited as
 * raw JSON. Values are checked here before the form submits; the API checks
 * them again against the full schema.
 */
import type { JsonSchema } from '../types';

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'array';

export interface Field {
  name: string;
  kind: FieldKind;
  /** For arrays: the kind of each item. */
  itemKind?: Exclude<FieldKind, 'array'>;
  required: boolean;
  schema: JsonSchema;
}

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

function primitiveKind(s: JsonSchema): Exclude<FieldKind, 'array'> | undefined {
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string' || typeof v === 'number')) return 'enum';
  const t = typeOf(s);
  return t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' ? t : undefined;
}

/** The fields of a schema the form can show, or undefined when only raw JSON will do. */
export function formFields(schema: JsonSchema | undefined): Field[] | undefined {
  if (!schema) return [];
  if (typeOf(schema) !== 'object' || !schema.properties) return undefined;
  const fields: Field[] = [];
  for (const [name, s] of Object.entries(schema.properties)) {
    const required = schema.required?.includes(name) ?? false;
    const kind = primitiveKind(s);
    if (kind) fields.push({ name, kind, required, schema: s });
    else if (typeOf(s) === 'array' && s.items && primitiveKind(s.items) && primitiveKind(s.items) !== 'enum') fields.push({ name, kind: 'array', itemKind: primitiveKind(s.items), required, schema: s });
    else return undefined;
  }
  return fields;
}

/** Form text → the value to send; `{ error }` says what is wrong with it. */
export function fieldValue(f: Field, text: string): { value?: unknown; error?: string } {
  const s = f.schema;
  if (f.kind === 'boolean') return { value: text === 'true' };
  if (text.trim() === '') return f.required ? { error: 'required' } : {};
  const one = (kind: Exclude<FieldKind, 'array'>, raw: string, schema: JsonSchema): { value?: unknown; error?: string } => {
    if (kind === 'number' || kind === 'integer') {
      const n = Number(raw);
      if (!Number.isFinite(n)) return { error: `expected a number, got "${raw}"` };
      if (kind === 'integer' && !Number.isInteger(n)) return { error: `expected an integer, got ${raw}` };
      if (schema.minimum !== undefined && n < schema.minimum) return { error: `must be at least ${schema.minimum}` };
      if (schema.maximum !== undefined && n > schema.maximum) return { error: `must be at most ${schema.maximum}` };
      return { value: n };
    }
    if (kind === 'enum') {
      const found = schema.enum?.find((v) => String(v) === raw);
      return found === undefined ? { error: `expected one of ${schema.enum?.join(', ')}` } : { value: found };
    }
    if (kind === 'boolean') return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { error: 'expected true or false' };
    if (schema.minLength !== undefined && raw.length < schema.minLength) return { error: `at least ${schema.minLength} characters` };
    if (schema.maxLength !== undefined && raw.length > schema.maxLength) return { error: `at most ${schema.maxLength} characters` };
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(raw)) return { error: `must match ${schema.pattern}` };
    return { value: raw };
  };
  if (f.kind !== 'array') return one(f.kind, text, s);
  const values: unknown[] = [];
  for (const [i, part] of text.split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const r = one(f.itemKind!, part, s.items ?? {});
    if (r.error) return { error: `item ${i + 1}: ${r.error}` };
    values.push(r.value);
  }
  return { value: values };
}

/** The initial text of a field: its default, if the schema has one. */
export function initialText(f: Field): string {
  const d = f.schema.default;
  if (d === undefined) return f.kind === 'boolean' ? 'false' : '';
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return Array.isArray(d) ? d.map(text).join(', ') : text(d);
}
