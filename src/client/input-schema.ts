/**
 * Checks a run's input against the DAG's `input` JSON Schema before the run
 * starts, and names each problem by its JSON path. The schema is compiled
 * with the settings validation used (src/dag/input-schema.ts), so a schema
 * that validated compiles here.
 */
import type { ValidateFunction } from 'ajv';
import type { CompiledDag } from '../dag';
import { compileInputSchema } from '../dag/input-schema';

export interface InputIssue {
  /** JSON path inside the input, e.g. `input.uploadId` or `input.items[2]`. */
  path: string;
  message: string;
}

export class RunInputError extends Error {
  override readonly name = 'RunInputError';
  constructor(
    readonly dag: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(`Invalid input for DAG ${dag}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
  }
}

/** By definition hash; bounded, as a long-lived API sees many inline definitions. */
const CACHE_SIZE = 1000;
const cache = new Map<string, ValidateFunction>();

function pointerToPath(pointer: string): string {
  let out = 'input';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

export function validateRunInput(dag: CompiledDag, input: unknown): void {
  if (!dag.inputSchema) return;
  let validate = cache.get(dag.hash);
  if (!validate) {
    try {
      validate = compileInputSchema(dag.inputSchema);
    } catch (err) {
      throw new RunInputError(dag.name, [{ path: '(schema)', message: `the DAG's input schema is not valid JSON Schema: ${(err as Error).message}` }]);
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(dag.hash, validate);
  }
  if (validate(input ?? null)) return;
  throw new RunInputError(
    dag.name,
    (validate.errors ?? []).map((e) => {
      const missing = e.keyword === 'required' ? `.${String((e.params as { missingProperty?: string }).missingProperty)}` : '';
      const extra = e.keyword === 'additionalProperties' ? `.${String((e.params as { additionalProperty?: string }).additionalProperty)}` : '';
      return { path: pointerToPath(e.instancePath) + missing + extra, message: e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid') };
    }),
  );
}
