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

function mergeTimeouts(activity: string, ...layers: Array<TimeoutDefinition | undefined>): CompiledTimeouts {
  const out: CompiledTimeouts = { startToCloseMs: BUILTIN_DEFAULTS.startToCloseMs };
  // Built-ins that heartbeat get a heartbeat timeout, so when their worker dies the
  // attempt is retried within seconds rather than after its start-to-close timeout.
  if (HEARTBEATING_BUILTINS.has(activity)) out.heartbeatMs = BUILTIN_DEFAULTS.builtinHeartbeatMs;
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
): CompiledActivityCall {
  const d = dag.defaults ?? {};
  const taskQueue = spec.taskQueue ?? d.taskQueue;
  const priority = spec.priority ?? d.priority;
  const timeouts = mergeTimeouts(spec.activity, d.timeout, spec.timeout);
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

function compileNode(dag: DagDefinition, n: NodeDefinition): CompiledNode {
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
    node.call = call(dag, { activity: n.activity!, input: n.input, retry: n.retry, timeout: n.timeout, taskQueue: n.taskQueue, priority: n.priority, mode: n.mode }, place);
  }
  if (n.map) {
    node.map = { items: n.map.items, concurrency: n.map.concurrency ?? BUILTIN_DEFAULTS.mapConcurrency, batchSize: n.map.batchSize ?? 1 };
  }
  if (n.compensate) node.compensate = call(dag, { ...n.compensate, priority: n.priority }, {});
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

/** Validates and compiles; throws DagValidationError listing every problem. */
export function compileDag(raw: unknown, opts: ValidateOptions & { source?: string } = {}): CompiledDag {
  const result = validateDag(raw, opts);
  if (!result.ok) throw new DagValidationError(result.issues, opts.source);
  const dag = result.dag;
  return {
    formatVersion: COMPILED_FORMAT_VERSION,
    name: dag.name,
    ...(dag.description ? { description: dag.description } : {}),
    hash: canonicalHash(dag),
    ...(dag.input ? { inputSchema: dag.input } : {}),
    concurrency: dag.concurrency ?? BUILTIN_DEFAULTS.concurrency,
    onFailure: dag.onFailure ?? BUILTIN_DEFAULTS.onFailure,
    ...(dag.output !== undefined ? { output: dag.output } : {}),
    nodes: topologicalOrder(dag.nodes.map((n) => compileNode(dag, n))),
  };
}
