/**
 * A node's `mode`: whether its activity runs as a local activity (in the
 * worker that runs the workflow, recorded as one marker event) or as a remote
 * activity task (three events and a task-queue round trip). `auto` is
 * resolved here, at compile time, so a workflow never guesses and a compiled
 * DAG says what each call will do.
 *
 * The `auto` rule: local, unless the call relies on something a local
 * activity does not have. That is:
 * - a heartbeat timeout (set, or the built-in one of http.request,
 *   notify.webhook and sleep): a local activity cannot heartbeat, so neither
 *   a dead worker nor progress would be seen through heartbeats;
 * - a `taskQueue`: a local activity runs where the workflow runs;
 * - a scheduleToStart timeout: it bounds a wait in a task queue, which a
 *   local activity never has;
 * - a startToClose timeout above the default (5 m): the timeout is an upper
 *   bound, and the default is what a node gets when its author says nothing,
 *   so raising it declares a long node. A local activity keeps its workflow
 *   task open while it runs (the worker extends it every ~8 s), so queries,
 *   signals and cancellation reach the run late, and a worker crash re-runs
 *   it from the start;
 * - unlimited retries (maximumAttempts 0) without a scheduleToClose: the
 *   interpreter never cancels a local activity (runner.ts says why), so a
 *   local node must end on its own;
 * - a map node: its items are known only when it runs.
 * A DAG's size is not a reason. Local activities once piled up in one
 * workflow task until the worker extended it, and a 5,000-node DAG at load
 * 23 made a task that timed out and re-ran every node; the interpreter now
 * closes a task after LOCAL_CALLS_PER_TASK local starts
 * (src/workflows/local-budget.ts), and a DAG over 5,000 nodes runs in
 * partitions of 1,000, so a task of a large DAG holds no more local
 * activities than one of a small DAG.
 * An ordinary short node with default settings (no-op, a database write, a
 * call to an internal service) therefore runs locally.
 */
import type { RequestedMode } from './schema';
import { BUILTIN_DEFAULTS, type CallMode, type CompiledActivityCall } from './types';

/** The longest startToClose timeout `auto` still runs locally: the default one. */
export const AUTO_LOCAL_MAX_START_TO_CLOSE_MS = BUILTIN_DEFAULTS.startToCloseMs;

/** Where a call sits: whether it calls a map node's items. */
export interface CallPlace {
  map?: boolean;
}

/** Why `auto` runs this call remotely, or undefined when running it locally gives up nothing it relies on. */
export function remoteReason(call: Pick<CompiledActivityCall, 'taskQueue' | 'timeouts' | 'retry'>, place: CallPlace = {}): string | undefined {
  const t = call.timeouts;
  if (place.map) return 'it is a map node (its items, unknown until it runs, would all be local activities of few workflow tasks)';
  if (call.taskQueue) return `it is routed to task queue "${call.taskQueue}"`;
  if (t.heartbeatMs !== undefined) return 'it has a heartbeat timeout (it heartbeats or reports progress)';
  if (t.scheduleToStartMs !== undefined) return 'it has a scheduleToStart timeout';
  if (t.startToCloseMs > AUTO_LOCAL_MAX_START_TO_CLOSE_MS) return `its startToClose timeout is over ${AUTO_LOCAL_MAX_START_TO_CLOSE_MS / 60_000}m`;
  if (call.retry.maximumAttempts === 0 && t.scheduleToCloseMs === undefined) return 'it retries without limit (a local activity is not cancelled, so it must end on its own)';
  return undefined;
}

/** The mode a compiled call gets: `local` and `remote` as asked, `auto` by the rule above. */
export function resolveMode(requested: RequestedMode, call: Pick<CompiledActivityCall, 'taskQueue' | 'timeouts' | 'retry'>, place: CallPlace = {}): CallMode {
  if (requested !== 'auto') return requested;
  return remoteReason(call, place) === undefined ? 'local' : 'remote';
}

/** What the mode of a call in a compiled DAG means; absent (DAGs compiled before the field) is remote. */
export function modeOf(call: Pick<CompiledActivityCall, 'mode'>): CallMode {
  return call.mode ?? 'remote';
}
