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
  /** The DAG's `defaults`, for the rules that span a node and its defaults (mode). */
  defaults?: Record<string, unknown>;
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
  const d = (raw as { defaults?: unknown }).defaults;
  const defaults = d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
  const out: RawNode[] = [];
  nodes.forEach((n: unknown, index) => {
    if (!n || typeof n !== 'object' || typeof (n as { id?: unknown }).id !== 'string') return;
    const r = n as Record<string, unknown>;
    const after = Array.isArray(r.after) ? r.after.filter((a): a is string => typeof a === 'string') : [];
    out.push({ index, id: r.id as string, raw: r, after, ...(defaults ? { defaults } : {}) });
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
  for (const field of ['activity', 'map', 'compensate', 'retry', 'input', 'mode'] as const) {
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

/** Conflicts within `defaults` already reported, per validation (its issue list). */
const reportedDefaults = new WeakMap<DagIssue[], Set<string>>();

const timeoutField = (t: unknown, field: string): unknown => (t !== null && typeof t === 'object' ? (t as Record<string, unknown>)[field] : undefined);

/**
 * `mode: local` (on the call or from `defaults.mode`) with a setting only a
 * remote activity can honour: a task queue, a heartbeat timeout, a
 * scheduleToStart timeout. Reported where the conflicting setting is written,
 * so the fix is plain; one shared by every node (both in `defaults`) once.
 */
function modeRules(call: Record<string, unknown>, p: string, defaults: Record<string, unknown>, issues: DagIssue[]): void {
  if ((call.mode ?? defaults.mode) !== 'local') return;
  const modeFrom = call.mode !== undefined ? `${p}.mode` : 'defaults.mode';
  const conflicts: Array<[string, unknown, unknown, string]> = [
    ['taskQueue', call.taskQueue, defaults.taskQueue, 'cannot be routed to a task queue: it runs in the worker that runs the workflow'],
    ['timeout.heartbeat', timeoutField(call.timeout, 'heartbeat'), timeoutField(defaults.timeout, 'heartbeat'), 'cannot heartbeat, so a heartbeat timeout would never apply'],
    ['timeout.scheduleToStart', timeoutField(call.timeout, 'scheduleToStart'), timeoutField(defaults.timeout, 'scheduleToStart'), 'never waits in a task queue, so a scheduleToStart timeout would never apply'],
  ];
  for (const [field, own, inherited, why] of conflicts) {
    if (own === undefined && inherited === undefined) continue;
    const path = own !== undefined ? `${p}.${field}` : call.mode !== undefined ? `${p}.mode` : `defaults.${field}`;
    const message = `a local activity (mode: local at ${modeFrom}) ${why}; remove ${own !== undefined ? field : `defaults.${field}`} or use mode: remote or auto`;
    if (path.startsWith('defaults.')) {
      // Both settings are in `defaults`: every node would repeat the same issue.
      const seen = reportedDefaults.get(issues) ?? new Set<string>();
      reportedDefaults.set(issues, seen);
      if (seen.has(path)) continue;
      seen.add(path);
    }
    issues.push({ path, code: 'schema', message });
  }
}

/** The node's own rules; its expressions go to `sites`. `owner` is the node's index in the node list. */
export function checkNode(node: RawNode, owner: number, issues: DagIssue[], sites: ExpressionSite[]): void {
  const p = `nodes[${node.index}]`;
  kindRules(node, p, issues);
  timingRules(node, p, issues);
  onErrorRules(node, p, issues);
  const r = node.raw;
  if ((r.type ?? 'activity') === 'activity') modeRules(r, p, node.defaults ?? {}, issues);
  if (r.compensate !== null && typeof r.compensate === 'object') modeRules(r.compensate as Record<string, unknown>, `${p}.compensate`, node.defaults ?? {}, issues);
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
