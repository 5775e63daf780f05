/**
 * The API's response shapes the console reads. Runs, statuses and compiled
 * DAGs are the server's own types, imported as types only: they vanish from
 * the bundle, so no Node code reaches the browser (the files they come from
 * are type-checked with the console, see console/tsconfig.json). What is left
 * here are the console routes' own shapes (src/api/routes/console-*.ts) and
 * the parts of JSON Schema the start form reads.
 */
import type { NodeStatus as ServerNodeStatus, RunStatus as ServerRunStatus } from '../../src/workflows/messages';
import type { RunView as ServerRunView, RunSummary } from '../../src/client/run-types';
import type { NodeState } from '../../src/dag/types';
import type { Attempt } from '../../src/api/routes/console-history';

export type { CompiledDag, CompiledNode, NodeState } from '../../src/dag/types';
export type { NodeError } from '../../src/workflows/messages';
export type { Attempt, RunSummary };

/** Display order of the states. */
export const NODE_STATES: readonly NodeState[] = ['pending', 'waiting', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'];

/**
 * A node's status. `mode` says whether its activity ran as a local or a
 * remote one; status queries of workers that predate local activities leave
 * it out, which means remote.
 */
export type NodeStatus = ServerNodeStatus & { mode?: 'local' | 'remote' };
export type RunStatus = Omit<ServerRunStatus, 'nodes'> & { nodes: NodeStatus[] };
export type RunView = Omit<ServerRunView, 'status'> & { status?: RunStatus };

/** GET /v1/console/runs/:id/dag: the run in brief, drawn before its status arrives. */
export type RunHead = RunSummary & { taskQueue: string; historyLength: number };

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

/** GET /v1/console/runs/:id/nodes/:node */
export interface NodeDetail {
  node: string;
  idempotencyKey: string;
  status?: NodeStatus;
  activity?: Attempt;
  items?: (Attempt & { index: number })[];
  executions: string[];
  truncated: boolean;
}

export interface Session {
  authRequired: boolean;
  signedIn: boolean;
  namespace: string;
  temporalUiUrl?: string;
}
