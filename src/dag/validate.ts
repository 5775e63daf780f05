/**
 * Validates a DAG definition before anything starts, and reports every
 * problem with its path: schema errors (unknown fields, bad durations), and the
 * rules that span fields: duplicate ids, missing dependencies, cycles, unknown
 * activities, expressions that do not parse or that read nodes not upstream.
 */
import type { z } from 'zod';
import { dagSchema, type DagDefinition } from './schema';
import { parseDuration, durationError } from './duration';
import { collectTemplates, compileExpression, ExpressionError, isTemplate, referencedNodes, templateExpressions } from './expressions';

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

export interface ValidateOptions {
  /** Registered activity names; when given, unknown activities are errors. */
  activities?: Iterable<string>;
}

export type ValidationResult = { ok: true; dag: DagDefinition } | { ok: false; issues: DagIssue[] };

export class DagValidationError extends Error {
  override readonly name = 'DagValidationError';
  constructor(
    readonly issues: readonly DagIssue[],
    readonly source?: string,
  ) {
    super(`Invalid DAG${source ? ` in ${source}` : ''}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

type ZodIssue = z.ZodError['issues'][number];

/**
 * For a union (e.g. a timeout is a duration or an object), report the branch
 * that matched the value's type, so the message says what is really wrong.
 */
function unionBranch(issue: ZodIssue & { code: 'invalid_union' }): ZodIssue[] | undefined {
  const branches = issue.errors;
  const typed = branches.find((b) => b.length > 0 && !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
  return typed ?? branches[0];
}

function zodIssues(error: { issues: ZodIssue[] }, prefix: PropertyKey[] = []): DagIssue[] {
  return error.issues.flatMap((raw): DagIssue[] => {
    const issue = { ...raw, path: [...prefix, ...raw.path] } as ZodIssue;
    if (issue.code === 'invalid_union') {
      const branch = unionBranch(issue);
      if (branch?.length) return zodIssues({ issues: branch }, issue.path);
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), code: 'unknown_field', message: `unknown field "${key}"` }));
    }
    const isDuration = issue.message.startsWith('expected a duration');
    return [{ path: formatPath(issue.path), code: isDuration ? 'bad_duration' : 'schema', message: issue.message }];
  });
}

interface RawNode {
  index: number;
  id: string;
  raw: Record<string, unknown>;
  after: string[];
}

function rawNodes(raw: unknown): RawNode[] {
  if (!raw || typeof raw !== 'object') return [];
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((n: unknown, index) => {
    if (!n || typeof n !== 'object' || typeof (n as { id?: unknown }).id !== 'string') return [];
    const r = n as Record<string, unknown>;
    const after = Array.isArray(r.after) ? r.after.filter((a): a is string => typeof a === 'string') : [];
    return [{ index, id: r.id as string, raw: r, after }];
  });
}

/** Finds cycles with a DFS; each is reported once, as the path that closes it. */
function findCycles(nodes: Map<string, RawNode>): string[][] {
  const color = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    color.set(id, 1);
    stack.push(id);
    for (const dep of nodes.get(id)?.after ?? []) {
      if (!nodes.has(dep) || dep === id) continue;
      const c = color.get(dep) ?? 0;
      if (c === 1) {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep].reverse();
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (c === 0) visit(dep);
    }
    stack.pop();
    color.set(id, 2);
  };
  for (const id of nodes.keys()) if ((color.get(id) ?? 0) === 0) visit(id);
  return cycles;
}

/** All transitive dependencies of each node (cycle-safe). */
function ancestors(nodes: Map<string, RawNode>): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const compute = (id: string, visiting: Set<string>): Set<string> => {
    const cached = memo.get(id);
    if (cached) return cached;
    const out = new Set<string>();
    visiting.add(id);
    for (const dep of nodes.get(id)?.after ?? []) {
      if (!nodes.has(dep) || visiting.has(dep)) continue;
      out.add(dep);
      for (const a of compute(dep, visiting)) out.add(a);
    }
    visiting.delete(id);
    memo.set(id, out);
    return out;
  };
  for (const id of nodes.keys()) compute(id, new Set());
  return memo;
}

function checkTemplates(value: unknown, basePath: string, allowed: ReadonlySet<string>, known: ReadonlySet<string>, owner: string | undefined, issues: DagIssue[]): void {
  for (const { path, template } of collectTemplates(value)) {
    checkExpressionList(templateExpressions(template), path ? `${basePath}.${path}` : basePath, allowed, known, owner, issues);
  }
}

function checkExpressionList(exprs: string[], path: string, allowed: ReadonlySet<string>, known: ReadonlySet<string>, owner: string | undefined, issues: DagIssue[]): void {
  for (const expr of exprs) {
    if (!expr) {
      issues.push({ path, code: 'bad_expression', message: 'empty {{ }} expression' });
      continue;
    }
    let refs: Set<string>;
    try {
      compileExpression(expr);
      refs = referencedNodes(expr);
    } catch (err) {
      issues.push({ path, code: 'bad_expression', message: `expression "${expr}" ${err instanceof ExpressionError ? err.message : String(err)}` });
      continue;
    }
    for (const ref of refs) {
      if (!known.has(ref)) {
        issues.push({ path, code: 'unknown_node', message: `expression "${expr}" reads nodes.${ref}, which is not a node in this DAG` });
      } else if (!allowed.has(ref)) {
        issues.push({
          path,
          code: 'not_upstream',
          message: `expression "${expr}" reads nodes.${ref}, which is not upstream of "${owner}"; add it (or a node after it) to "after"`,
        });
      }
    }
  }
}

/**
 * ISO 8601 date, or date-time with `Z` or an offset. Date.parse alone accepts
 * "1" or "Dec 1", and reads a date-time without a zone in the worker's local
 * time zone, which differs between workers.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;
function isIsoTime(value: string): boolean {
  return ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** A field that is always an expression: `{{ expr }}`, or a bare expression. */
function expressionField(value: string): string[] {
  return isTemplate(value) ? templateExpressions(value) : [value];
}

export function validateDag(raw: unknown, opts: ValidateOptions = {}): ValidationResult {
  const issues: DagIssue[] = [];
  const parsed = dagSchema.safeParse(raw);
  if (!parsed.success) issues.push(...zodIssues(parsed.error));

  // Cross-field rules run on whatever nodes have an id, so one pass reports everything.
  const list = rawNodes(raw);
  const byId = new Map<string, RawNode>();
  for (const node of list) {
    const first = byId.get(node.id);
    if (first) {
      issues.push({ path: `nodes[${node.index}].id`, code: 'duplicate_id', message: `duplicate node id "${node.id}" (first defined at nodes[${first.index}])` });
    } else byId.set(node.id, node);
  }
  const known = new Set(byId.keys());
  const registry = opts.activities ? new Set(opts.activities) : undefined;

  for (const node of list) {
    const p = `nodes[${node.index}]`;
    node.after.forEach((dep, k) => {
      if (dep === node.id) issues.push({ path: `${p}.after[${k}]`, code: 'self_dependency', message: `node "${node.id}" depends on itself` });
      else if (!known.has(dep)) issues.push({ path: `${p}.after[${k}]`, code: 'missing_dependency', message: `node "${node.id}" depends on "${dep}", which is not a node in this DAG` });
    });
    const kind = node.raw.type ?? 'activity';
    if (kind === 'activity' && node.raw.activity === undefined) {
      issues.push({ path: `${p}.activity`, code: 'node_kind', message: `node "${node.id}" needs an activity (or type: approval)` });
    }
    if (kind === 'approval') {
      for (const field of ['activity', 'map', 'compensate', 'retry', 'input'] as const) {
        if (node.raw[field] !== undefined) issues.push({ path: `${p}.${field}`, code: 'node_kind', message: `an approval node has no ${field}` });
      }
      // A scalar that is not a duration is already reported by the schema.
      const t = node.raw.timeout;
      if (t !== null && typeof t === 'object') {
        issues.push({ path: `${p}.timeout`, code: 'bad_duration', message: `an approval's timeout is its deadline: ${durationError(t)}` });
      }
    }
    if (registry) {
      for (const [field, value] of [['activity', node.raw.activity], ['compensate.activity', (node.raw.compensate as { activity?: unknown } | undefined)?.activity]] as const) {
        if (typeof value === 'string' && !registry.has(value)) {
          issues.push({ path: `${p}.${field}`, code: 'unknown_activity', message: `unknown activity "${value}"; registered: ${[...registry].sort().join(', ') || '(none)'}` });
        }
      }
    }
    if (typeof node.raw.delay === 'string' && !isTemplate(node.raw.delay) && parseDuration(node.raw.delay) === undefined) {
      issues.push({ path: `${p}.delay`, code: 'bad_duration', message: durationError(node.raw.delay) });
    }
    if (typeof node.raw.delay === 'number' && parseDuration(node.raw.delay) === undefined) {
      issues.push({ path: `${p}.delay`, code: 'bad_duration', message: durationError(node.raw.delay) });
    }
    if (typeof node.raw.at === 'string' && !isTemplate(node.raw.at) && !isIsoTime(node.raw.at)) {
      issues.push({
        path: `${p}.at`,
        code: 'bad_time',
        message: `expected an ISO 8601 time with a time zone such as 2026-12-01T09:00:00Z, or a {{ expression }}, got ${JSON.stringify(node.raw.at)}`,
      });
    }
    if (node.raw.delay !== undefined && node.raw.at !== undefined) {
      issues.push({ path: `${p}.at`, code: 'schema', message: 'give either delay or at, not both' });
    }
    if (node.raw.onError === 'notify' && node.raw.notify === undefined) {
      issues.push({ path: `${p}.notify`, code: 'schema', message: 'onError: notify needs notify: { url }' });
    }
    if (node.raw.notify !== undefined && node.raw.onError !== 'notify') {
      issues.push({ path: `${p}.notify`, code: 'schema', message: 'notify applies only with onError: notify' });
    }
    if (node.raw.askTimeout !== undefined && node.raw.onError !== 'ask') {
      issues.push({ path: `${p}.askTimeout`, code: 'schema', message: 'askTimeout applies only with onError: ask' });
    }
    const items = (node.raw.map as { items?: unknown } | undefined)?.items;
    if (typeof items === 'string' && !isTemplate(items)) {
      issues.push({ path: `${p}.map.items`, code: 'bad_expression', message: `expected a {{ expression }} that yields a list, or a list, got ${JSON.stringify(items)}` });
    }
  }

  for (const cycle of findCycles(byId)) {
    const first = byId.get(cycle[0]!)!;
    issues.push({ path: `nodes[${first.index}].after`, code: 'cycle', message: `cycle: ${cycle.join(' → ')}` });
  }

  const up = ancestors(byId);
  for (const node of list) {
    const p = `nodes[${node.index}]`;
    const allowed = up.get(node.id) ?? new Set<string>();
    const r = node.raw;
    checkTemplates(r.input, `${p}.input`, allowed, known, node.id, issues);
    if (typeof r.when === 'string') checkExpressionList(expressionField(r.when), `${p}.when`, allowed, known, node.id, issues);
    if (typeof r.delay === 'string' && isTemplate(r.delay)) checkTemplates(r.delay, `${p}.delay`, allowed, known, node.id, issues);
    if (typeof r.at === 'string' && isTemplate(r.at)) checkTemplates(r.at, `${p}.at`, allowed, known, node.id, issues);
    const map = r.map as { items?: unknown } | undefined;
    if (map && typeof map.items === 'string' && isTemplate(map.items)) checkTemplates(map.items, `${p}.map.items`, allowed, known, node.id, issues);
    checkTemplates((r.notify as { url?: unknown } | undefined)?.url, `${p}.notify.url`, new Set([...allowed, node.id]), known, node.id, issues);
    const comp = r.compensate as { input?: unknown } | undefined;
    // A compensation may read the output of the node it undoes.
    if (comp) checkTemplates(comp.input, `${p}.compensate.input`, new Set([...allowed, node.id]), known, node.id, issues);
  }
  if (raw && typeof raw === 'object') {
    checkTemplates((raw as { output?: unknown }).output, 'output', known, known, 'the DAG output', issues);
  }

  if (issues.length > 0 || !parsed.success) return { ok: false, issues: dedupe(issues) };
  return { ok: true, dag: parsed.data };
}

function dedupe(issues: DagIssue[]): DagIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
