/**
 * Validates a DAG definition before anything starts, and reports every
 * problem with its path: size and depth limits, schema errors (unknown
 * fields, bad durations, bounds), a bad input JSON Schema, and the rules that
 * span fields: duplicate ids, missing dependencies, cycles, unknown
 * activities, expressions that do not parse or that read nodes not upstream.
 *
 * The order matters: the shape check walks the raw value without recursion
 * and stops at a definition that is too large or too deep, so nothing after
 * it (zod, template scans, the hash) can exhaust the stack. The rest is
 * linear in the size of the definition; see reachability.ts.
 */
import type { z } from 'zod';
import { dagSchema, type DagDefinition } from './schema';
import { analyzeExpression } from './expression-refs';
import { inputSchemaIssues } from './input-schema';
import { DagValidationError, finishIssues, type DagIssue, type DagIssueCode } from './issues';
import { resolveLimits, type DagLimits } from './limits';
import { checkNode, rawNodes, templateSites, type ExpressionSite, type RawNode } from './node-rules';
import { DependencyGraph, type UpstreamQuery } from './reachability';
import { checkShape } from './shape';

export { DagValidationError, type DagIssue, type DagIssueCode };

export interface ValidateOptions {
  /** Registered activity names; when given, unknown activities are errors. */
  activities?: Iterable<string>;
  /** Size limits; each one left out keeps its default (DEFAULT_LIMITS in limits.ts). */
  limits?: Partial<DagLimits>;
}

export type ValidationResult = { ok: true; dag: DagDefinition } | { ok: false; issues: DagIssue[] };

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
    const isDuration = /^(expected a duration|duration )/.test(issue.message);
    return [{ path: formatPath(issue.path), code: isDuration ? 'bad_duration' : 'schema', message: issue.message }];
  });
}

/** Duplicate ids, dependencies on missing nodes or on self; returns each node's parents by index. */
function dependencyRules(list: RawNode[], issues: DagIssue[]): { parents: number[][]; firstIndex: Map<string, number> } {
  const firstIndex = new Map<string, number>();
  list.forEach((node, k) => {
    const first = firstIndex.get(node.id);
    if (first === undefined) firstIndex.set(node.id, k);
    else issues.push({ path: `nodes[${node.index}].id`, code: 'duplicate_id', message: `duplicate node id "${node.id}" (first defined at nodes[${list[first]!.index}])` });
  });
  const parents = list.map((node) => {
    const out: number[] = [];
    node.after.forEach((dep, k) => {
      const at = `nodes[${node.index}].after[${k}]`;
      const d = firstIndex.get(dep);
      if (dep === node.id) issues.push({ path: at, code: 'self_dependency', message: `node "${node.id}" depends on itself` });
      else if (d === undefined) issues.push({ path: at, code: 'missing_dependency', message: `node "${node.id}" depends on "${dep}", which is not a node in this DAG` });
      else out.push(d);
    });
    return out;
  });
  return { parents, firstIndex };
}

const SHOWN_CYCLE_NODES = 20;

function cycleIssues(graph: DependencyGraph, list: RawNode[], issues: DagIssue[]): void {
  for (const found of graph.cycles(10)) {
    // Start at the node defined first, so the report does not depend on where the search began.
    let first = 0;
    found.forEach((k, i) => (k < found[first]! ? (first = i) : undefined));
    const cycle = [...found.slice(first), ...found.slice(0, first)];
    const ids = cycle.map((k) => list[k]!.id);
    const shown = ids.length <= SHOWN_CYCLE_NODES ? ids : [...ids.slice(0, SHOWN_CYCLE_NODES - 2), `… ${ids.length - SHOWN_CYCLE_NODES + 1} more …`, ids[ids.length - 1]!];
    const size = ids.length > SHOWN_CYCLE_NODES ? ` of ${ids.length} nodes` : '';
    issues.push({ path: `nodes[${list[cycle[0]!]!.index}].after`, code: 'cycle', message: `cycle${size}: ${[...shown, ids[0]!].join(' → ')}` });
  }
}

function activityRules(list: RawNode[], registry: ReadonlySet<string>, issues: DagIssue[]): void {
  const known = [...registry].sort().join(', ') || '(none)';
  for (const node of list) {
    const comp = (node.raw.compensate as { activity?: unknown } | undefined)?.activity;
    for (const [field, value] of [['activity', node.raw.activity], ['compensate.activity', comp]] as const) {
      if (typeof value === 'string' && !registry.has(value)) {
        issues.push({ path: `nodes[${node.index}].${field}`, code: 'unknown_activity', message: `unknown activity "${value}"; registered: ${known}` });
      }
    }
  }
}

/** Parses every expression, and checks that each `nodes.X` it reads is upstream of its node. */
function expressionRules(sites: ExpressionSite[], list: RawNode[], firstIndex: Map<string, number>, graph: DependencyGraph, limits: DagLimits, issues: DagIssue[]): void {
  const queries: UpstreamQuery[] = [];
  const asked: Array<{ site: ExpressionSite; ref: string }> = [];
  for (const site of sites) {
    const { expr, path } = site;
    if (!expr) {
      issues.push({ path, code: 'bad_expression', message: 'empty {{ }} expression' });
      continue;
    }
    if (expr.length > limits.maxExpressionLength) {
      issues.push({ path, code: 'too_long', message: `an expression is at most ${limits.maxExpressionLength} characters (limits.maxExpressionLength), this one has ${expr.length}` });
      continue;
    }
    const analysis = analyzeExpression(expr);
    const shown = expr.length > 200 ? `${expr.slice(0, 200)}…` : expr;
    if (!analysis.ok) {
      issues.push({ path, code: 'bad_expression', message: `expression "${shown}" ${analysis.message}` });
      continue;
    }
    const owner = site.owner >= 0 ? list[site.owner]! : undefined;
    for (const ref of new Set(analysis.refs)) {
      const target = firstIndex.get(ref);
      if (target === undefined) {
        issues.push({ path, code: 'unknown_node', message: `expression "${shown}" reads nodes.${ref}, which is not a node in this DAG` });
      } else if (owner && !(site.selfAllowed && ref === owner.id)) {
        queries.push({ node: site.owner, target });
        asked.push({ site, ref });
      }
    }
  }
  graph.upstream(queries).forEach((upstream, k) => {
    if (upstream) return;
    const { site, ref } = asked[k]!;
    const owner = list[site.owner]!.id;
    const shown = site.expr.length > 200 ? `${site.expr.slice(0, 200)}…` : site.expr;
    issues.push({ path: site.path, code: 'not_upstream', message: `expression "${shown}" reads nodes.${ref}, which is not upstream of "${owner}"; add it (or a node after it) to "after"` });
  });
}

export function validateDag(raw: unknown, opts: ValidateOptions = {}): ValidationResult {
  const limits = resolveLimits(opts.limits);
  const shape = checkShape(raw, limits);
  if (shape.fatal.length > 0) return { ok: false, issues: finishIssues([...shape.fatal, ...shape.issues], limits.maxIssues) };
  const issues: DagIssue[] = [...shape.issues];
  const parsed = dagSchema.safeParse(raw);
  if (!parsed.success) issues.push(...zodIssues(parsed.error));
  issues.push(...inputSchemaIssues((raw as { input?: unknown } | null)?.input));

  // Cross-field rules run on whatever nodes have an id, so one pass reports everything.
  const list = rawNodes(raw);
  const { parents, firstIndex } = dependencyRules(list, issues);
  if (opts.activities) activityRules(list, new Set(opts.activities), issues);
  const sites: ExpressionSite[] = [];
  list.forEach((node, k) => checkNode(node, k, issues, sites));
  if (raw && typeof raw === 'object') templateSites((raw as { output?: unknown }).output, 'output', -1, false, sites);

  const graph = new DependencyGraph(parents);
  if (graph.hasCycle) cycleIssues(graph, list, issues);
  expressionRules(sites, list, firstIndex, graph, limits, issues);

  if (issues.length > 0 || !parsed.success) return { ok: false, issues: finishIssues(issues, limits.maxIssues) };
  return { ok: true, dag: parsed.data };
}
