/**
 * The API's response shapes the console reads. They mirror src/api/schemas.ts
 * and src/dag/types.ts; the console keeps its own copy because it is built
 * for the browser, apart from the Node code.
 */
export type NodeState = 'pending' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const NODE_STATES: readonly NodeState[] = ['pending', 'waiting', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];

export interface NodeError {
  message: string;
  type?: string;
}

export interface NodeStatus {
  id: string;
  state: NodeState;
  attempts?: number;
  startedAt?: string;
  endedAt?: string;
  reason?: string;
  error?: NodeError;
  progress?: { done: number; total: number; note?: string };
  items?: { total: number; succeeded: number; failed: number; running: number };
  reused?: boolean;
  ignoredError?: boolean;
  output?: unknown;
  compensation?: { state: 'running' | 'succeeded' | 'failed'; error?: NodeError };
}

export interface RunStatus {
  dag: string;
  hash: string;
  state: 'running' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';
  startedAt: string;
  generation: number;
  counts: Record<NodeState, number>;
  nodes: NodeStatus[];
  error?: NodeError & { node?: string };
}

export interface RunView {
  id: string;
  runId: string;
  dag: string;
  execution: string;
  startedAt: string;
  closedAt?: string;
  taskQueue: string;
  status?: RunStatus;
  result?: unknown;
  failure?: NodeError;
}

export interface RunSummary {
  id: string;
  runId: string;
  dag?: string;
  execution: string;
  startedAt: string;
  closedAt?: string;
}

export interface CompiledRetry {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  nonRetryableErrorTypes: string[];
}

export interface CompiledCall {
  activity: string;
  input?: unknown;
  retry: CompiledRetry;
  timeouts: { startToCloseMs: number; scheduleToCloseMs?: number; scheduleToStartMs?: number; heartbeatMs?: number };
  taskQueue?: string;
}

export interface CompiledNode {
  id: string;
  kind: 'activity' | 'approval';
  description?: string;
  after: string[];
  trigger: string;
  when?: string;
  delay?: number | string;
  at?: string;
  call?: CompiledCall;
  map?: { items: string | unknown[]; concurrency: number; batchSize: number };
  approvalTimeoutMs?: number;
  onError: string;
  askTimeoutMs?: number;
}

export interface CompiledDag {
  name: string;
  description?: string;
  hash: string;
  inputSchema?: JsonSchema;
  concurrency: number;
  onFailure: string;
  nodes: CompiledNode[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export interface DagSummary {
  name?: string;
  description?: string;
  file: string;
  nodes: number;
  ok: boolean;
  issues: { path: string; code: string; message: string }[];
}

export interface Attempt {
  activityId: string;
  input?: unknown;
  attempt?: number;
  state: string;
  error?: { message: string; type?: string; stack?: string };
}

export interface NodeDetail {
  node: string;
  idempotencyKey: string;
  status?: NodeStatus;
  activity?: Attempt;
  items?: (Attempt & { index: number })[];
  truncated: boolean;
}

export interface Session {
  authRequired: boolean;
  signedIn: boolean;
  namespace: string;
  temporalUiUrl?: string;
}
