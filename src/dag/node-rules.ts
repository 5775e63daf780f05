/**
 * The rules on one node's own fields that zod's schema cannot say: what an
 * approval may not have, delays and times in range, onError companions, and
 * which strings are expressions (collected here, checked in validate.ts).
 */
import { durationError, parseDuration } from './duration';
import { collectTemplates, isTemplate, templateExpressions } from './expressions';
import type { DagIssue } from './issues';
import { FIXED_LIMITS } from './limits';

export interface RawNode {
  index: number;
  id: string;
  raw: Record<string, unknown>;
  after: string[];
}

/** One expression to check, and which node's upstream it may read. */
export interface ExpressionSite {
  path: string;
  expr: string;
  /** Index into the node list; -1 for the DAG's output, which may read any node. */
  owner: number;
  /** A compensation or notify.url may also read its own node's output. */
  selfAllowed: boolean;
}

export function rawNodes(raw: unknown): RawNode[] {
  if (!raw || typeof raw !== 'object') return [];
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return [];
  const out: RawNode[] = [];
  nodes.forEach((n: unknown, index) => {
    if (!n || typeof n !== 'object' || typeof (n as { id?: unknown }).id !== 'string') return;
    const r = n as Record<string, unknown>;
    const after = Array.isArray(r.after) ? r.after.filter((a): a is string => typeof a === 'string') : [];
    out.push({ index, id: r.id as string, raw: r, after });
  });
  return out;
}

/**
 * ISO 8601 date, or date-time with `Z` or an offset. Date.parse alone accepts
 * "1" or "Dec 1", and reads a date-time without a zone in the worker's local
 * time zone, which differs between workers.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function timeIssue(value: string): string | undefined {
  const t = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) return `expected an ISO 8601 time with a time zone such as 2026-12-01T09:00:00Z, or a {{ expression }}, got ${JSON.stringify(value.slice(0, 80))}`;
  if (t < FIXED_LIMITS.minTimeMs || t >= FIXED_LIMITS.maxTimeMs) return `expected a time from 1970-01-01 up to (not including) 2200-01-01, got ${value}`;
  return undefined;
}

/** A field that is always an expression: `{{ expr }}`, or a bare expression. */
function expressionField(value: string): string[] {
  return isTemplate(value) ? templateExpressions(value) : [value];
}

/** Adds the expressions of a templated JSON value (an input, an output) to `sites`. */
export function templateSites(value: unknown, basePath: string, owner: number, selfAllowed: boolean, sites: ExpressionSite[]): void {
  for (const { path, template } of collectTemplates(value)) {
    const p = path ? `${basePath}.${path}` : basePath;
    for (const expr of templateExpressions(template)) sites.push({ path: p, expr, owner, selfAllowed });
  }
}

function kindRules(node: RawNode, p: string, issues: DagIssue[]): void {
  const kind = node.raw.type ?? 'activity';
  if (kind === 'activity' && node.raw.activity === undefined) {
    issues.push({ path: `${p}.activity`, code: 'node_kind', message: `node "${node.id}" needs an activity (or type: approval)` });
  }
  if (kind !== 'approval') return;
  for (const field of ['activity', 'map', 'compensate', 'retry', 'input'] as const) {
    if (node.raw[field] !== undefined) issues.push({ path: `${p}.${field}`, code: 'node_kind', message: `an approval node has no ${field}` });
  }
  // A scalar that is not a duration is already reported by the schema.
  const t = node.raw.timeout;
  if (t !== null && typeof t === 'object') {
    issues.push({ path: `${p}.timeout`, code: 'bad_duration', message: `an approval's timeout is its deadline: ${durationError(t)}` });
  }
}

function timingRules(node: RawNode, p: string, issues: DagIssue[]): void {
  const { delay, at } = node.raw;
  if ((typeof delay === 'string' && !isTemplate(delay)) || typeof delay === 'number') {
    if (parseDuration(delay) === undefined) issues.push({ path: `${p}.delay`, code: 'bad_duration', message: durationError(delay) });
  }
  if (typeof at === 'string' && !isTemplate(at)) {
    const problem = timeIssue(at);
    if (problem) issues.push({ path: `${p}.at`, code: 'bad_time', message: problem });
  }
  if (delay !== undefined && at !== undefined) issues.push({ path: `${p}.at`, code: 'schema', message: 'give either delay or at, not both' });
}

function onErrorRules(node: RawNode, p: string, issues: DagIssue[]): void {
  const r = node.raw;
  if (r.onError === 'notify' && r.notify === undefined) issues.push({ path: `${p}.notify`, code: 'schema', message: 'onError: notify needs notify: { url }' });
  if (r.notify !== undefined && r.onError !== 'notify') issues.push({ path: `${p}.notify`, code: 'schema', message: 'notify applies only with onError: notify' });
  if (r.askTimeout !== undefined && r.onError !== 'ask') issues.push({ path: `${p}.askTimeout`, code: 'schema', message: 'askTimeout applies only with onError: ask' });
}

/** The node's own rules; its expressions go to `sites`. `owner` is the node's index in the node list. */
export function checkNode(node: RawNode, owner: number, issues: DagIssue[], sites: ExpressionSite[]): void {
  const p = `nodes[${node.index}]`;
  kindRules(node, p, issues);
  timingRules(node, p, issues);
  onErrorRules(node, p, issues);
  const r = node.raw;
  templateSites(r.input, `${p}.input`, owner, false, sites);
  if (typeof r.when === 'string') for (const expr of expressionField(r.when)) sites.push({ path: `${p}.when`, expr, owner, selfAllowed: false });
  if (typeof r.delay === 'string' && isTemplate(r.delay)) templateSites(r.delay, `${p}.delay`, owner, false, sites);
  if (typeof r.at === 'string' && isTemplate(r.at)) templateSites(r.at, `${p}.at`, owner, false, sites);
  const items = (r.map as { items?: unknown } | undefined)?.items;
  if (typeof items === 'string') {
    if (isTemplate(items)) templateSites(items, `${p}.map.items`, owner, false, sites);
    else issues.push({ path: `${p}.map.items`, code: 'bad_expression', message: `expected a {{ expression }} that yields a list, or a list, got ${JSON.stringify(items.slice(0, 80))}` });
  }
  templateSites((r.notify as { url?: unknown } | undefined)?.url, `${p}.notify.url`, owner, true, sites);
  templateSites((r.compensate as { input?: unknown } | undefined)?.input, `${p}.compensate.input`, owner, true, sites);
}
