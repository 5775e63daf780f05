/**
 * The compiled DAG: plain JSON, defaults applied, nodes in topological order.
 * It is the argument of the `dagRun` workflow, so it must stay serialisable
 * and its shape stable (bump `formatVersion` on a breaking change).
 */
import type { OnError, OnFailure, TriggerRule } from './schema';

/**
 * Where an activity call runs: `remote` is an ordinary activity task (three
 * history events and a task-queue round trip), `local` a local activity in
 * the worker that runs the workflow (one marker event). See docs/dag-format.md.
 */
export type CallMode = 'local' | 'remote';

export const COMPILED_FORMAT_VERSION = 1;

export interface CompiledRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  nonRetryableErrorTypes: string[];
}

export interface CompiledTimeouts {
  startToCloseMs: number;
  scheduleToCloseMs?: number;
  scheduleToStartMs?: number;
  heartbeatMs?: number;
}

export interface CompiledActivityCall {
  activity: string;
  /** Templated JSON; evaluated when the node starts. */
  input?: unknown;
  retry: CompiledRetry;
  timeouts: CompiledTimeouts;
  taskQueue?: string;
  priority?: number;
  /**
   * Resolved at compile time (`auto` never reaches a workflow). Absent in DAGs
   * compiled before the field existed, which means `remote`, so the runs
   * recorded then replay with the same commands.
   */
  mode?: CallMode;
}

export interface CompiledMap {
  /** `{{ expr }}` template or a literal list. */
  items: string | unknown[];
  concurrency: number;
  batchSize: number;
}

export interface CompiledNode {
  id: string;
  kind: 'activity' | 'approval';
  description?: string;
  after: string[];
  trigger: TriggerRule;
  /** Expression text; false → skipped. */
  when?: string;
  /** Fixed delay in ms, or a template that yields a duration. */
  delay?: number | string;
  /** ISO time, or a template that yields one. */
  at?: string;
  /** For activity nodes. */
  call?: CompiledActivityCall;
  map?: CompiledMap;
  /** For approval nodes: how long to wait for a decision. */
  approvalTimeoutMs?: number;
  compensate?: CompiledActivityCall;
  onError: OnError;
  /** For onError: notify. */
  notify?: { url: string; headers?: Record<string, string>; then: 'fail' | 'continue' };
  /** For onError: ask: how long a decision may take. */
  askTimeoutMs?: number;
}

export interface CompiledDag {
  formatVersion: typeof COMPILED_FORMAT_VERSION;
  name: string;
  description?: string;
  /** SHA-256 of the canonical definition, hex (with the declared heartbeats of its activities, when compiled with some: compileDag). */
  hash: string;
  inputSchema?: Record<string, unknown>;
  concurrency: number;
  onFailure: OnFailure;
  output?: unknown;
  /** Topological order: every node comes after all of its dependencies. */
  nodes: CompiledNode[];
}

/**
 * Defaults applied where neither the node nor the DAG's `defaults` say
 * otherwise. The one place they are defined: compile.ts applies them and
 * pack.ts falls back to them.
 */
export const BUILTIN_DEFAULTS = {
  retry: { maximumAttempts: 3, initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 60_000, nonRetryableErrorTypes: [] as string[] },
  /** @defaultValue 5m */
  startToCloseMs: 5 * 60_000,
  /** What a node's `mode` is when neither it nor the DAG's `defaults` set one. @defaultValue auto */
  mode: 'auto' as const,
  /**
   * Heartbeat timeout of the built-ins that heartbeat (HEARTBEATING_BUILTINS),
   * unless the node or its DAG's defaults set one. They beat every second; the
   * SDK sends beats at most every 80% of this, which leaves 3 s of slack.
   * @defaultValue 15s
   */
  builtinHeartbeatMs: 15_000,
  /** @defaultValue 7d */
  approvalTimeoutMs: 7 * 86_400_000,
  concurrency: 20,
  mapConcurrency: 10,
  onFailure: 'fail-fast' as OnFailure,
  trigger: 'all-success' as TriggerRule,
};

/**
 * Built-in activities (src/activities/builtins) that heartbeat while they run.
 * src/dag cannot import them (they use Node), so a unit test keeps this list
 * in step with the registry.
 */
export const HEARTBEATING_BUILTINS: ReadonlySet<string> = new Set(['http.request', 'notify.webhook', 'sleep']);

export type NodeState = 'pending' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const TERMINAL_STATES: ReadonlySet<NodeState> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);
