/**
 * Compiles a validated definition into the plain-JSON form `dagRun` runs:
 * defaults applied to every node, durations in ms, nodes in topological order,
 * and a content hash of the definition.
 */
import { parseDuration } from './duration';
import { canonicalHash } from './hash';
import type { DagDefinition, NodeDefinition, RequestedMode, RetryDefinition, TimeoutDefinition } from './schema';
import { BUILTIN_DEFAULTS, COMPILED_FORMAT_VERSION, HEARTBEATING_BUILTINS, type CompiledActivityCall, type CompiledDag, type CompiledNode, type CompiledRetry, type CompiledTimeouts } from './types';
import { resolveMode, type CallPlace } from './mode';
import { DependencyGraph } from './reachability';
import { DagValidationError, validateDag, type ValidateOptions } from './validate';

function ms(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(value);
}

function mergeRetry(...layers: Array<RetryDefinition | undefined>): CompiledRetry {
  const out: CompiledRetry = { ...BUILTIN_DEFAULTS.retry, nonRetryableErrorTypes: [...BUILTIN_DEFAULTS.retry.nonRetryableErrorTypes] };
  for (const r of layers) {
    if (!r) continue;
    if (r.maximumAttempts !== undefined) out.maximumAttempts = r.maximumAttempts;
    if (r.initialInterval !== undefined) out.initialIntervalMs = ms(r.initialInterval)!;
    if (r.backoffCoefficient !== undefined) out.backoffCoefficient = r.backoffCoefficient;
    if (r.maximumInterval !== undefined) out.maximumIntervalMs = ms(r.maximumInterval)!;
    if (r.nonRetryableErrorTypes !== undefined) out.nonRetryableErrorTypes = [...r.nonRetryableErrorTypes];
  }
  // Temporal rejects a maximum below the initial interval.
  out.maximumIntervalMs = Math.max(out.maximumIntervalMs, out.initialIntervalMs);
  return out;
}

/** Heartbeat timeouts (ms) that activities declare, by activity name: `registry.heartbeatTimeouts()`. */
export type ActivityHeartbeats = Readonly<Record<string, number>>;

export interface CompileOptions extends ValidateOptions {
  /** Where the definition came from, named in errors. */
  source?: string;
  /**
   * Declared heartbeat timeouts of the registry's activities. A node calling
   * one gets it as its heartbeat timeout unless the node or the DAG's
   * defaults set one, so `auto` runs it remote. Without the map a declaration
   * has no effect here.
   */
  activityHeartbeats?: ActivityHeartbeats;
}

/** A bad `activityHeartbeats` entry: the map comes from code (a registry or client options), not from a definition. */
export class ActivityHeartbeatsError extends Error {
  override readonly name = 'ActivityHeartbeatsError';
  constructor(
    readonly activity: string,
    readonly value: unknown,
  ) {
    super(`activityHeartbeats["${activity}"] must be a heartbeat timeout in milliseconds above 0, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

/** Throws ActivityHeartbeatsError for the first entry that is not a finite number above 0. */
export function checkActivityHeartbeats(heartbeats: ActivityHeartbeats | undefined): void {
  if (heartbeats === undefined) return;
  for (const [activity, value] of Object.entries(heartbeats)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ActivityHeartbeatsError(activity, value);
  }
}

/** The declared heartbeat of `activity`; own keys only, so an activity named "constructor" finds nothing inherited. */
function declaredHeartbeat(heartbeats: ActivityHeartbeats | undefined, activity: string): number | undefined {
  return heartbeats !== undefined && Object.hasOwn(heartbeats, activity) ? heartbeats[activity] : undefined;
}

function mergeTimeouts(activity: string, heartbeats: ActivityHeartbeats | undefined, ...layers: Array<TimeoutDefinition | undefined>): CompiledTimeouts {
  const out: CompiledTimeouts = { startToCloseMs: BUILTIN_DEFAULTS.startToCloseMs };
  // An activity that heartbeats gets a heartbeat timeout (its declared one, or the
  // built-ins' default), so when its worker dies the attempt is retried within
  // seconds rather than after its start-to-close timeout. The node's layers still win.
  const declared = declaredHeartbeat(heartbeats, activity);
  if (declared !== undefined) out.heartbeatMs = declared;
  else if (HEARTBEATING_BUILTINS.has(activity)) out.heartbeatMs = BUILTIN_DEFAULTS.builtinHeartbeatMs;
  for (const t of layers) {
    if (t === undefined) continue;
    if (typeof t === 'string' || typeof t === 'number') {
      out.startToCloseMs = ms(t)!;
      continue;
    }
    if (t.startToClose !== undefined) out.startToCloseMs = ms(t.startToClose)!;
    if (t.scheduleToClose !== undefined) out.scheduleToCloseMs = ms(t.scheduleToClose);
    if (t.scheduleToStart !== undefined) out.scheduleToStartMs = ms(t.scheduleToStart);
    if (t.heartbeat !== undefined) out.heartbeatMs = ms(t.heartbeat);
  }
  return out;
}

function call(
  dag: DagDefinition,
  spec: { activity: string; input?: unknown; retry?: RetryDefinition; timeout?: TimeoutDefinition; taskQueue?: string; priority?: number; mode?: RequestedMode },
  place: CallPlace,
  heartbeats: ActivityHeartbeats | undefined,
): CompiledActivityCall {
  const d = dag.defaults ?? {};
  const taskQueue = spec.taskQueue ?? d.taskQueue;
  const priority = spec.priority ?? d.priority;
  const timeouts = mergeTimeouts(spec.activity, heartbeats, d.timeout, spec.timeout);
  const retry = mergeRetry(d.retry, spec.retry);
  return {
    activity: spec.activity,
    ...(spec.input !== undefined ? { input: spec.input } : {}),
    retry,
    timeouts,
    ...(taskQueue ? { taskQueue } : {}),
    ...(priority ? { priority } : {}),
    mode: resolveMode(spec.mode ?? d.mode ?? BUILTIN_DEFAULTS.mode, { timeouts, retry, ...(taskQueue ? { taskQueue } : {}) }, place),
  };
}

function compileNode(dag: DagDefinition, n: NodeDefinition, heartbeats: ActivityHeartbeats | undefined): CompiledNode {
  const kind = n.type ?? 'activity';
  const node: CompiledNode = {
    id: n.id,
    kind,
    after: [...(n.after ?? [])],
    trigger: n.trigger ?? BUILTIN_DEFAULTS.trigger,
    onError: n.onError ?? 'fail',
  };
  if (n.description) node.description = n.description;
  if (n.when !== undefined) node.when = n.when;
  if (n.delay !== undefined) node.delay = typeof n.delay === 'string' && n.delay.includes('{{') ? n.delay : parseDuration(n.delay)!;
  if (n.at !== undefined) node.at = n.at;
  if (kind === 'approval') {
    node.approvalTimeoutMs = n.timeout !== undefined ? ms(n.timeout as string | number)! : BUILTIN_DEFAULTS.approvalTimeoutMs;
  } else {
    const place = { map: n.map !== undefined };
    node.call = call(dag, { activity: n.activity!, input: n.input, retry: n.retry, timeout: n.timeout, taskQueue: n.taskQueue, priority: n.priority, mode: n.mode }, place, heartbeats);
  }
  if (n.map) {
    node.map = { items: n.map.items, concurrency: n.map.concurrency ?? BUILTIN_DEFAULTS.mapConcurrency, batchSize: n.map.batchSize ?? 1 };
  }
  if (n.compensate) node.compensate = call(dag, { ...n.compensate, priority: n.priority }, {}, heartbeats);
  if (n.notify) node.notify = { url: n.notify.url, ...(n.notify.headers ? { headers: n.notify.headers } : {}), then: n.notify.then ?? 'fail' };
  if (node.onError === 'ask') node.askTimeoutMs = n.askTimeout !== undefined ? ms(n.askTimeout)! : BUILTIN_DEFAULTS.approvalTimeoutMs;
  return node;
}

/** Topological order; ties keep definition order, so compilation is deterministic. */
function topologicalOrder(nodes: CompiledNode[]): CompiledNode[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const graph = new DependencyGraph(nodes.map((n) => n.after.map((dep) => index.get(dep)!)));
  return graph.order.map((i) => nodes[i]!);
}

/**
 * The declared heartbeats of the activities `dag` calls, sorted, or undefined
 * when it calls none: they change the compiled form, so they are hashed with it.
 */
function heartbeatsUsed(dag: DagDefinition, heartbeats: ActivityHeartbeats | undefined): Array<[string, number]> | undefined {
  if (heartbeats === undefined) return undefined;
  const used = new Map<string, number>();
  for (const n of dag.nodes) {
    for (const activity of [n.activity, n.compensate?.activity]) {
      const ms = activity === undefined ? undefined : declaredHeartbeat(heartbeats, activity);
      if (ms !== undefined) used.set(activity!, ms);
    }
  }
  return used.size > 0 ? [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : undefined;
}

/** Validates and compiles; throws DagValidationError listing every problem. */
export function compileDag(raw: unknown, opts: CompileOptions = {}): CompiledDag {
  const heartbeats = opts.activityHeartbeats;
  checkActivityHeartbeats(heartbeats);
  const result = validateDag(raw, opts);
  if (!result.ok) throw new DagValidationError(result.issues, opts.source);
  const dag = result.dag;
  // A definition compiled without declared heartbeats keeps the hash it always had.
  const declared = heartbeatsUsed(dag, heartbeats);
  return {
    formatVersion: COMPILED_FORMAT_VERSION,
    name: dag.name,
    ...(dag.description ? { description: dag.description } : {}),
    hash: declared === undefined ? canonicalHash(dag) : canonicalHash({ definition: dag, activityHeartbeats: declared }),
    ...(dag.input ? { inputSchema: dag.input } : {}),
    concurrency: dag.concurrency ?? BUILTIN_DEFAULTS.concurrency,
    onFailure: dag.onFailure ?? BUILTIN_DEFAULTS.onFailure,
    ...(dag.output !== undefined ? { output: dag.output } : {}),
    nodes: topologicalOrder(dag.nodes.map((n) => compileNode(dag, n, heartbeats))),
  };
}
