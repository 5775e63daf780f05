/**
 * The Weft client library: start, inspect, list, cancel, retry and approve
 * DAG runs. The HTTP API and the CLI are thin layers over this class, and
 * applications import it into their own handlers.
 */
import { randomUUID } from 'node:crypto';
import { Connection, WorkflowExecutionAlreadyStartedError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { checkActivityHeartbeats, compileDag, type ActivityHeartbeats, type CompiledDag, type ValidateOptions } from '../dag';
import { parseDuration } from '../dag/duration';
import { packDag, toCompiled } from '../dag/pack';
import { DagCatalog, requireCatalog } from './catalog';
import type { EnqueuedJob, EnqueueOptions } from './queues';
import { JobsClient, type JobsOptions } from './jobs';
import type { QueueStatus } from '../workflows/queue';
import { approvalUpdate, resolveFailureUpdate, statusQuery, type ApprovalDecision, type ApprovalResult, type FailureDecision, type NodeStatus } from '../workflows/messages';
import type { DagRunArgs } from '../workflows/dag-run';
import { classifyTemporalCause } from '../errors/grpc';
import { ERROR_KINDS } from '../errors/kinds';
import { ClosedRunCache } from './closed-runs';
import { RunOptionError, RunStartUncertainError, RunStateError } from './run-errors';
import { EagerStartUnsupportedError, type StartedRunDetails } from './eager-start';
import { cancelRun as cancelRunOf, describeRun, getRun as getRunOf, listRuns as listRunsOf } from './run-reads';

import { type ListRunsOptions, type RunSummary, type RunView, type StartedRun, type StartRunOptions } from './run-types';

export { RunNotFoundError, RunOptionError, RunStartUncertainError, RunStateError } from './run-errors';
export { EagerStartUnsupportedError, type StartedRunDetails } from './eager-start';
export * from './run-types';

import { SEARCH_ATTRIBUTE_KEYS, WORKFLOW_TYPES } from '../temporal/search-attributes';
import { FAILED_RECORD_PREFIX, JOB_WORKFLOW_TYPES } from '../workflows/jobs/types';

export const WORKFLOW_TYPE = WORKFLOW_TYPES.dagRun;
const SA_DAG = SEARCH_ATTRIBUTE_KEYS.dag;
const SA_STATUS = SEARCH_ATTRIBUTE_KEYS.status;

export interface WeftClientOptions {
  /** Default task queue of runs. @defaultValue weft */
  taskQueue?: string;
  /** Set WeftDag/WeftStatus search attributes at start (the server must know them). @defaultValue true */
  searchAttributes?: boolean;
  /** Registry names for validating inline definitions. */
  activities?: ValidateOptions['activities'];
  /**
   * Heartbeat timeouts (ms) the activities declare (`defineActivity({ heartbeatTimeout })`),
   * by name: `registry.heartbeatTimeouts()`. Nodes calling them get that heartbeat timeout
   * unless they set one, so `mode: auto` runs them remote. Without it a declaration has no
   * effect on the DAGs this client compiles (docs/activities.md).
   * @defaultValue none
   */
  activityHeartbeats?: ActivityHeartbeats;
  /** Folder of named DAGs, so runs can be started by name. */
  dagsDir?: string;
  /** The job queue's settings (shards, concurrency, retention, batching); see docs/jobs.md. */
  jobs?: JobsOptions;
  /**
   * Eager workflow start: the server hands a run's first workflow task back in
   * the start's answer, to a worker in this process, instead of through a task
   * queue. Needs a client built on that worker's NativeConnection (weft dev
   * does this); when the worker has no free slot or does not poll the run's
   * task queue, the start falls back to the normal path. Runs with a start
   * delay never start eagerly. See docs/dev-server.md, "Eager start".
   * @defaultValue false
   */
  eagerStart?: boolean;
}

/**
 * A start that failed because Temporal did not answer (in time) may still have
 * happened, so it is reported as uncertain; other failures pass through as they are.
 */
function uncertainStart(id: string, err: unknown): unknown {
  const kind = classifyTemporalCause(err)?.kind;
  return kind === ERROR_KINDS.UNAVAILABLE || kind === ERROR_KINDS.TIMED_OUT ? new RunStartUncertainError(id, kind, err) : err;
}

export class WeftClient {
  readonly taskQueue: string;
  private readonly closedRuns = new ClosedRunCache();

  constructor(
    readonly temporal: Client,
    private readonly opts: WeftClientOptions = {},
  ) {
    this.taskQueue = opts.taskQueue ?? 'weft';
    // The SDK would only say so at the first start; a grpc-js Connection can never start eagerly.
    if (opts.eagerStart && temporal.connection instanceof Connection) throw new EagerStartUnsupportedError('@temporalio/client Connection');
    checkActivityHeartbeats(opts.activityHeartbeats);
  }

  private jobsClient?: JobsClient;

  /** Single jobs on sharded queues (docs/jobs.md); one instance per client, so submissions batch together. */
  get jobs(): JobsClient {
    return (this.jobsClient ??= new JobsClient(this.temporal, this.taskQueue, { searchAttributes: this.opts.searchAttributes, activities: this.opts.activities, ...this.opts.jobs }));
  }

  /** The named DAGs, when a DAGs folder is configured. */
  get catalog(): DagCatalog | undefined {
    return this.opts.dagsDir ? new DagCatalog(this.opts.dagsDir, this.opts.activities, this.opts.activityHeartbeats) : undefined;
  }

  private compiled(dag: StartRunOptions['dag']): CompiledDag {
    if (typeof dag === 'string') {
      return requireCatalog(this.catalog, dag).get(dag);
    }
    return (dag as CompiledDag).formatVersion === 1 && Array.isArray((dag as CompiledDag).nodes) && typeof (dag as CompiledDag).hash === 'string'
      ? (dag as CompiledDag)
      : compileDag(dag, { activities: this.opts.activities, activityHeartbeats: this.opts.activityHeartbeats });
  }

  private startDelayMs(o: Pick<StartRunOptions, 'delay' | 'at'>): number | undefined {
    if (o.delay !== undefined && o.at !== undefined) throw new RunOptionError('at', o.at, 'no at when delay is given (give delay or at, not both)');
    if (o.delay !== undefined) {
      const ms = parseDuration(o.delay);
      if (ms === undefined) throw new RunOptionError('delay', o.delay, 'a duration such as 10m');
      return ms;
    }
    if (o.at !== undefined) {
      const t = Date.parse(o.at);
      if (Number.isNaN(t)) throw new RunOptionError('at', o.at, 'an ISO 8601 time');
      return Math.max(0, t - Date.now());
    }
    return undefined;
  }

  /** WeftDag and WeftStatus=running, as start options; none when the server does not know them. */
  private searchAttributesFor(dag: CompiledDag): { typedSearchAttributes?: TypedSearchAttributes } {
    if (this.opts.searchAttributes === false) return {};
    return {
      typedSearchAttributes: [
        { key: SA_DAG, value: dag.name },
        { key: SA_STATUS, value: 'running' },
      ] as unknown as TypedSearchAttributes,
    };
  }

  /** Starts a run and returns at once. Starting twice with the same id returns the first run. */
  async startRun(o: StartRunOptions): Promise<StartedRun> {
    const { id, runId, existing } = await this.startRunDetails(o);
    return { id, runId, existing };
  }

  /** {@link startRun}, and whether the run started eagerly (option `eagerStart`). */
  async startRunDetails(o: StartRunOptions): Promise<StartedRunDetails> {
    const dag = this.compiled(o.dag);
    // Ajv (input schemas) and the queue client load when a start or an enqueue needs
    // them, so a program that only reads runs (weft runs status) does not pay for them.
    (await import('./input-schema')).validateRunInput(dag, o.input);
    if (o.priority !== undefined && !(Number.isInteger(o.priority) && o.priority >= 1 && o.priority <= 5)) {
      throw new RunOptionError('priority', o.priority, 'an integer from 1 (highest) to 5');
    }
    const id = o.id ?? `${dag.name}-${randomUUID()}`;
    const startDelay = this.startDelayMs(o);
    const args: DagRunArgs = { dag: packDag(dag), input: o.input ?? null };
    try {
      const handle = await this.temporal.workflow.start(WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue: o.taskQueue ?? this.taskQueue,
        args: [args],
        // A key identifies one run for good: a second start with it, running or closed, returns the first.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { weftDag: dag.name, weftDagHash: dag.hash },
        ...this.searchAttributesFor(dag),
        ...(startDelay ? { startDelay } : {}),
        // The server refuses eager starts with a delay; asking would only cost a slot reservation.
        ...(this.opts.eagerStart && !startDelay ? { requestEagerStart: true } : {}),
        ...(o.priority ? { priority: { priorityKey: o.priority } } : {}),
        staticSummary: `${dag.name}`,
      });
      return { id, runId: handle.firstExecutionRunId, existing: false, eagerlyStarted: handle.eagerlyStarted };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { ...(await this.existingRun(id)), eagerlyStarted: false };
      throw uncertainStart(id, err);
    }
  }

  /** The run that holds `id` already; it exists, but reading it can still time out under load. */
  private async existingRun(id: string): Promise<StartedRun> {
    try {
      const desc = await this.temporal.workflow.getHandle(id).describe();
      return { id, runId: desc.runId, existing: true };
    } catch (err) {
      throw uncertainStart(id, err);
    }
  }

  private handle(id: string, runId?: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(id, runId);
  }

  private describe(id: string, runId?: string): Promise<WorkflowExecutionDescription> {
    return describeRun(this.temporal, id, runId);
  }

  /**
   * The run's status: every node's state, enriched with live attempts and
   * progress of running activities. A closed execution's view is kept
   * (closed-runs.ts) and shared between callers: treat it as read-only.
   */
  async getRun(id: string, opts: { runId?: string; outputs?: boolean } = {}): Promise<RunView> {
    return getRunOf(this.temporal, id, { ...opts, cache: this.closedRuns });
  }

  /** Lists runs through visibility, newest first. */
  listRuns(o: ListRunsOptions = {}): Promise<RunSummary[]> {
    return listRunsOf(this.temporal, o);
  }

  /**
   * Adds a job to the FIFO queue of `key`: jobs of one key run one at a time
   * (or `queue.concurrency` at a time) in the order they were accepted; keys
   * are independent of each other.
   */
  async enqueue(key: string, dag: StartRunOptions['dag'], input?: unknown, opts: EnqueueOptions = {}): Promise<EnqueuedJob> {
    const compiled = this.compiled(dag);
    (await import('./input-schema')).validateRunInput(compiled, input);
    return (await import('./queues')).enqueue(this.temporal, this.taskQueue, key, compiled, input, opts);
  }

  /** Length, running and next jobs, and counts of the queue of `key`. */
  async queueStatus(key: string, recent?: number): Promise<QueueStatus> {
    return (await import('./queues')).queueStatus(this.temporal, key, recent);
  }

  /** Requests cancellation: activities in flight are cancelled, compensations run if configured. */
  cancelRun(id: string): Promise<void> {
    return cancelRunOf(this.temporal, id);
  }

  /** Approves or rejects an approval node, and says whether the run accepted it. */
  async decide(id: string, decision: ApprovalDecision): Promise<ApprovalResult> {
    const desc = await this.describe(id);
    if (desc.status.name !== 'RUNNING') throw new RunStateError(id, `run "${id}" is ${desc.status.name.toLowerCase()}, not running; it takes no decisions`);
    return this.handle(id).executeUpdate(approvalUpdate, { args: [decision] });
  }

  /** Retries, skips or aborts a node that failed with `onError: ask`. */
  async resolveFailure(id: string, decision: FailureDecision): Promise<{ node: string; action: FailureDecision['action']; at: string }> {
    const desc = await this.describe(id);
    if (desc.status.name !== 'RUNNING') throw new RunStateError(id, `run "${id}" is ${desc.status.name.toLowerCase()}, not running; it takes no decisions`);
    return this.handle(id).executeUpdate(resolveFailureUpdate, { args: [decision] });
  }

  /** The arguments the latest execution of a run was started with. */
  private async startArgs(id: string, runId: string): Promise<DagRunArgs> {
    const history = await this.handle(id, runId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!started) throw new RunStateError(id, `run "${id}" has no start event`);
    const [args] = await decodeArrayFromPayloads(this.temporal.options.loadedDataConverter, started.input?.payloads);
    return args as DagRunArgs;
  }

  /**
   * Re-runs a finished run under the same id, so every node keeps its
   * idempotency key. With `fromFailed`, nodes that succeeded are not run
   * again: their outputs are passed into the new run.
   */
  async retryRun(id: string, o: { fromFailed?: boolean } = {}): Promise<StartedRun & { reused: string[] }> {
    const desc = await this.describe(id);
    if (desc.type === JOB_WORKFLOW_TYPES.jobFailed) return { ...(await this.jobs.retry(id.slice(FAILED_RECORD_PREFIX.length))), runId: '', existing: false, reused: [] };
    if (desc.status.name === 'RUNNING') throw new RunStateError(id, `run "${id}" is still running; cancel it first or wait for it to finish`);
    const args = await this.startArgs(id, desc.runId);
    const dag = toCompiled(args.dag);
    let reuse: Record<string, unknown> = {};
    if (o.fromFailed) {
      const status = await this.handle(id, desc.runId).query(statusQuery, { outputs: true });
      reuse = Object.fromEntries(status.nodes.filter((n: NodeStatus) => n.state === 'succeeded').map((n) => [n.id, n.output]));
    }
    const handle = await this.temporal.workflow.start(WORKFLOW_TYPE, {
      workflowId: id,
      taskQueue: desc.taskQueue,
      // Partition settings travel too, so the retry splits the DAG as the run did.
      args: [{ dag: packDag(dag), input: args.input ?? null, ...(o.fromFailed ? { reuse } : {}), ...(args.partitions ? { partitions: args.partitions } : {}) } satisfies DagRunArgs],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: desc.memo ?? {},
      ...this.searchAttributesFor(dag),
      staticSummary: `${dag.name} (retry)`,
    });
    return { id, runId: handle.firstExecutionRunId, existing: false, reused: Object.keys(reuse) };
  }
}
