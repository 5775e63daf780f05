/**
 * What validation reports: issues with a path and a code, and the error that
 * carries them. Every limit in limits.ts has a code here, so callers (the API,
 * the CLI) can tell "too large" from "malformed" without reading messages.
 */
export type DagIssueCode =
  | 'schema'
  | 'unknown_field'
  | 'duplicate_id'
  | 'missing_dependency'
  | 'self_dependency'
  | 'cycle'
  | 'unknown_activity'
  | 'bad_duration'
  | 'bad_time'
  | 'bad_expression'
  | 'not_upstream'
  | 'unknown_node'
  | 'node_kind'
  /** The input JSON Schema is not a valid (strict) JSON Schema. */
  | 'bad_input_schema'
  /** More nodes than limits.maxNodes. */
  | 'too_many_nodes'
  /** More bytes than limits.maxDefinitionBytes. */
  | 'too_large'
  /** Nested deeper than limits.maxDepth. */
  | 'too_deep'
  /** A string (name, id, expression, value) longer than its limit. */
  | 'too_long'
  /** A value JSON cannot carry: a function, NaN, Infinity, a class instance. */
  | 'not_json'
  /** More issues than limits.maxIssues; the last issue counts the rest. */
  | 'truncated'
  /** The file is not valid YAML/JSON (see src/dag/parse.ts). */
  | 'syntax'
  /** The file does not exist or cannot be read. */
  | 'unreadable'
  /** Two definition files in one folder use the same DAG name. */
  | 'duplicate_name';

export interface DagIssue {
  /** Where the problem is, e.g. `nodes[2].after[0]` or `nodes[1].input.url`. */
  path: string;
  code: DagIssueCode;
  message: string;
}

export class DagValidationError extends Error {
  override readonly name = 'DagValidationError';
  constructor(
    readonly issues: readonly DagIssue[],
    readonly source?: string,
  ) {
    super(`Invalid DAG${source ? ` in ${source}` : ''}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
  }
}

/** Drops repeats (same path and message), then keeps at most `max`, counting the rest. */
export function finishIssues(issues: readonly DagIssue[], max: number, dropped = 0): DagIssue[] {
  const seen = new Set<string>();
  const out: DagIssue[] = [];
  let extra = dropped;
  for (const i of issues) {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length < max) out.push(i);
    else extra++;
  }
  if (extra > 0) out.push({ path: '(root)', code: 'truncated', message: `${extra} more issue${extra === 1 ? '' : 's'} not shown (limits.maxIssues is ${max})` });
  return out;
}
