/**
 * The job queue's client: single jobs that are too small to be a workflow
 * each. A queue is `shards` long-lived `jobShard` workflows; a job's id
 * (`<queue>/<key>`, the key being the caller's or a UUID) hashes to its shard.
 * Submissions to one shard within `lingerMs` travel in one signal-with-start,
 * so throughput is not one RPC per job; each `enqueue` resolves when Temporal
 * has acknowledged the signal that carries its job. See docs/jobs.md.
 * (A little over 300 lines: submission batching and the shard-count check share
 * the client's per-queue state; the errors live in jobs-errors.ts.)
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { parseDuration } from '../dag/duration';
import { classifyTemporalCause } from '../errors/grpc';
import { ERROR_KINDS } from '../errors/kinds';
import { JobNotFoundError, JobShardCountError, JobStateError, JobSubmitUncertainError } from './jobs-errors';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { compileJob, type JobDefinition } from '../workflows/jobs/spec';
import {
  FAILED_RECORD_PREFIX,
  JOB_WORKFLOW_TYPES,
  jobsQuery,
  listJobsQuery,
  SHARD_DEFAULTS,
  SHARD_ID_PREFIX,
  shardSummaryQuery,
  submitJobsSignal,
  type JobFailedArgs,
  type JobShardArgs,
  type JobSpec,
  type JobState,
  type JobView,
  type ShardOptions,
  type ShardSummary,
} from '../workflows/jobs/types';

export { JobValidationError, type JobDefinition, type JobIssue } from '../workflows/jobs/spec';
export { JobNotFoundError, JobShardCountError, JobStateError, JobSubmitUncertainError } from './jobs-errors';
export type { JobState, JobView, ShardSummary } from '../workflows/jobs/types';

export interface JobsOptions {
  /** Shards per queue. Fixed for a queue's life: a key maps to its shard through it. @defaultValue 4 */
  shards?: number;
  /** Jobs running at once per shard. @defaultValue 100 */
  concurrency?: number;
  /** How long a succeeded job's id and output are remembered (duplicates refused). @defaultValue 1h */
  retention?: string | number;
  /** Most finished jobs one shard remembers. @defaultValue 10000 */
  maxRemembered?: number;
  /** A shard continues as new after this many history events. @defaultValue 10000 */
  continueAsNewAfterEvents?: number;
  /**
   * Jobs per batch activity in the batch lane (docs/jobs.md); 1 runs every job as its own
   * local activity. From 1 to 100. @defaultValue 25
   */
  batchSize?: number;
  /**
   * Most jobs one workflow task of a shard starts; waves follow each other in one task up to
   * this many (docs/jobs.md, "Waves"). At most `concurrency` means a task per wave. @defaultValue 500
   */
  jobsPerTask?: number;
  /** How long a submission waits for others to the same shard before its signal goes. @defaultValue 2 */
  lingerMs?: number;
  /** Most jobs in one signal. @defaultValue 200 */
  maxBatch?: number;
  /** Workflow task timeout of the shards. @defaultValue Temporal's (10s) */
  workflowTaskTimeout?: string | number;
  /** Set WeftDag=jobs.<queue> on shards (and failed records); the server must know it. @defaultValue true */
  searchAttributes?: boolean;
  /** Registry names; when given, an unknown activity is refused at enqueue. */
  activities?: Iterable<string>;
}

export interface EnqueuedJobRef {
  /** `<queue>/<key>`: pass it to getJob / `weft jobs status`. */
  id: string;
  queue: string;
  shard: number;
  /** Workflow id of the shard. */
  shardId: string;
}

/** FNV-1a: stable across processes and versions, unlike anything seeded. */
export function shardOf(jobId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    h ^= jobId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

export function shardWorkflowId(queue: string, shard: number): string {
  return `${SHARD_ID_PREFIX}${queue}:${shard}`;
}

/** The queue of a job id, or a JobNotFoundError for an id that cannot be one. */
function queueOf(id: string): string {
  const slash = id.indexOf('/');
  if (slash <= 0) throw new JobNotFoundError(id);
  return id.slice(0, slash);
}

interface Pending {
  jobs: JobSpec[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void; id: string }>;
  timer?: NodeJS.Timeout;
}

export class JobsClient {
  readonly shards: number;
  private readonly buffers = new Map<string, Pending>();
  /** Per queue: the check that its shards were started with this client's shard count. */
  private readonly shardChecks = new Map<string, Promise<void>>();
  private readonly shardOptions: ShardOptions;
  private readonly taskTimeoutMs: number;

  constructor(
    readonly temporal: Client,
    readonly taskQueue: string,
    private readonly opts: JobsOptions = {},
  ) {
    const shards = opts.shards ?? 4;
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new RangeError(`jobs.shards: expected an integer from 1 to 1024, got ${String(shards)}`);
    this.shards = shards;
    const retentionMs = opts.retention === undefined ? undefined : parseDuration(opts.retention);
    if (opts.retention !== undefined && retentionMs === undefined) throw new RangeError(`jobs.retention: expected a duration such as 1h, got ${JSON.stringify(opts.retention)}`);
    const taskTimeoutMs = parseDuration(opts.workflowTaskTimeout ?? '10s');
    if (taskTimeoutMs === undefined || taskTimeoutMs < 1000) throw new RangeError(`jobs.workflowTaskTimeout: expected a duration of at least 1s, got ${JSON.stringify(opts.workflowTaskTimeout)}`);
    this.taskTimeoutMs = taskTimeoutMs;
    const batchSize = opts.batchSize;
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > SHARD_DEFAULTS.maxBatchSize)) {
      throw new RangeError(`jobs.batchSize: expected an integer from 1 to ${SHARD_DEFAULTS.maxBatchSize}, got ${String(batchSize)}`);
    }
    const jobsPerTask = opts.jobsPerTask;
    if (jobsPerTask !== undefined && (!Number.isInteger(jobsPerTask) || jobsPerTask < 1)) throw new RangeError(`jobs.jobsPerTask: expected an integer of at least 1, got ${String(jobsPerTask)}`);
    this.shardOptions = {
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(retentionMs !== undefined ? { retentionMs } : {}),
      ...(opts.maxRemembered !== undefined ? { maxRemembered: opts.maxRemembered } : {}),
      ...(opts.continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents: opts.continueAsNewAfterEvents } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(jobsPerTask !== undefined ? { jobsPerTask } : {}),
    };
  }

  /** Validates and submits one job; resolves once Temporal acknowledged the signal carrying it. The same key gives the same id, and runs once. */
  async enqueue(job: JobDefinition): Promise<EnqueuedJobRef> {
    const compiled = compileJob(job, this.opts.activities ? { activities: this.opts.activities } : {});
    const id = `${compiled.queue}/${compiled.key ?? randomUUID()}`;
    await this.checkShardCount(compiled.queue);
    return this.submit(compiled.queue, { id, call: compiled.call, input: compiled.input, submittedAt: Date.now() });
  }

  /** The job's state: pending, running, succeeded (with its output, within retention) or failed (with its error). */
  async getJob(id: string): Promise<JobView> {
    const queue = queueOf(id);
    await this.checkShardCount(queue);
    const shard = shardOf(id, this.shards);
    try {
      const [view] = await this.temporal.workflow.getHandle(shardWorkflowId(queue, shard)).query(jobsQuery, [id]);
      if (view) return view;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const record = await this.failedRecord(id);
    if (!record) throw new JobNotFoundError(id);
    return {
      id,
      queue: record.queue,
      shard: record.shard,
      state: 'failed',
      activity: record.job.call.activity,
      submittedAt: new Date(record.job.submittedAt).toISOString(),
      startedAt: new Date(record.startedAt).toISOString(),
      finishedAt: new Date(record.failedAt).toISOString(),
      error: record.error,
      failedRecord: `${FAILED_RECORD_PREFIX}${id}`,
      ...(record.attempt !== undefined ? { attempt: record.attempt } : {}),
    };
  }

  /** Jobs the queue's shards know (running, pending, then recently finished), optionally in one state. */
  async list(queue: string, o: { state?: JobState; limit?: number } = {}): Promise<JobView[]> {
    const limit = o.limit ?? 50;
    await this.checkShardCount(queue);
    const per = await Promise.all(
      Array.from({ length: this.shards }, (_, s) =>
        this.temporal.workflow
          .getHandle(shardWorkflowId(queue, s))
          .query(listJobsQuery, { ...(o.state ? { state: o.state } : {}), limit })
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return [] as JobView[];
            throw err;
          }),
      ),
    );
    return per.flat().slice(0, limit);
  }

  /** Counts per shard; a shard that was never started is left out. */
  async summary(queue: string): Promise<ShardSummary[]> {
    await this.checkShardCount(queue);
    const per = await Promise.all(
      Array.from({ length: this.shards }, (_, s) =>
        this.temporal.workflow
          .getHandle(shardWorkflowId(queue, s))
          .query(shardSummaryQuery)
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return undefined;
            throw err;
          }),
      ),
    );
    return per.filter((s): s is ShardSummary => s !== undefined);
  }

  /** Re-enqueues a failed job under the same id (so the same idempotency key) from its failed record. */
  async retry(id: string): Promise<EnqueuedJobRef> {
    const view = await this.getJob(id);
    if (view.state !== 'failed') throw new JobStateError(id, view.state);
    const record = await this.failedRecord(id);
    if (!record) throw new JobNotFoundError(id);
    return this.submit(record.queue, { ...record.job, retry: true, submittedAt: Date.now() });
  }

  /** Sends every buffered submission now. */
  async flush(): Promise<void> {
    await Promise.all([...this.buffers.keys()].map((shardId) => this.send(shardId)));
  }

  /**
   * Refuses a queue whose shards were started with another count (JobShardCountError):
   * shard 0 exists under any count, and its memo says the count its starter used. Checked
   * once per queue and client; a shard 0 that does not exist yet, or that was started
   * before shards recorded their count, passes.
   */
  private checkShardCount(queue: string): Promise<void> {
    let check = this.shardChecks.get(queue);
    if (!check) {
      check = this.temporal.workflow
        .getHandle(shardWorkflowId(queue, 0))
        .describe()
        .then(
          (d) => {
            const count = d.memo?.[SHARD_COUNT_MEMO];
            if (typeof count === 'number' && count !== this.shards) throw new JobShardCountError(queue, count, this.shards);
          },
          (err: unknown) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          },
        );
      this.shardChecks.set(queue, check);
      // A failed look-up (Temporal unavailable) is tried again next time; a mismatch stays refused.
      check.catch((err: unknown) => {
        if (!(err instanceof JobShardCountError)) this.shardChecks.delete(queue);
      });
    }
    return check;
  }

  private async failedRecord(id: string): Promise<JobFailedArgs | undefined> {
    try {
      const history = await this.temporal.workflow.getHandle(`${FAILED_RECORD_PREFIX}${id}`).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const [args] = await decodeArrayFromPayloads(this.temporal.options.loadedDataConverter, started?.input?.payloads);
      return args as JobFailedArgs;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private submit(queue: string, job: JobSpec): Promise<EnqueuedJobRef> {
    const shard = shardOf(job.id, this.shards);
    const shardId = shardWorkflowId(queue, shard);
    let buf = this.buffers.get(shardId);
    if (!buf) this.buffers.set(shardId, (buf = { jobs: [], waiters: [] }));
    const done = new Promise<void>((resolve, reject) => buf.waiters.push({ resolve, reject, id: job.id }));
    buf.jobs.push(job);
    if (buf.jobs.length >= (this.opts.maxBatch ?? 200)) void this.send(shardId);
    else buf.timer ??= setTimeout(() => void this.send(shardId), this.opts.lingerMs ?? 2);
    return done.then(() => ({ id: job.id, queue, shard, shardId }));
  }

  private async send(shardId: string): Promise<void> {
    const buf = this.buffers.get(shardId);
    if (!buf) return;
    this.buffers.delete(shardId);
    clearTimeout(buf.timer);
    const [queue, shard] = parseShardId(shardId);
    const attributes = this.opts.searchAttributes === false ? {} : { typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.dag, value: `jobs.${queue}` }] as unknown as TypedSearchAttributes };
    try {
      await this.temporal.workflow.signalWithStart(JOB_WORKFLOW_TYPES.jobShard, {
        workflowId: shardId,
        taskQueue: this.taskQueue,
        args: [{ queue, shard, options: this.shardOptions } satisfies JobShardArgs],
        signal: submitJobsSignal,
        signalArgs: [{ jobs: buf.jobs, options: this.shardOptions }],
        memo: { weftDag: `jobs.${queue}`, [SHARD_COUNT_MEMO]: this.shards },
        workflowTaskTimeout: this.taskTimeoutMs,
        ...attributes,
        staticSummary: `job queue ${queue}, shard ${shard}`,
      });
      for (const w of buf.waiters) w.resolve();
    } catch (err) {
      const kind = classifyTemporalCause(err)?.kind;
      for (const w of buf.waiters) w.reject(kind === ERROR_KINDS.UNAVAILABLE || kind === ERROR_KINDS.TIMED_OUT ? new JobSubmitUncertainError(w.id, kind, err) : err);
    }
  }
}

/** Memo field of a shard: the shard count of the client that started it. */
const SHARD_COUNT_MEMO = 'weftJobShards';

function parseShardId(shardId: string): [string, number] {
  const rest = shardId.slice(SHARD_ID_PREFIX.length);
  const colon = rest.lastIndexOf(':');
  return [rest.slice(0, colon), Number(rest.slice(colon + 1))];
}
