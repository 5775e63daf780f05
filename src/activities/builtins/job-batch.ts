/**
 * `weft.jobs.batch`: the job queue's batch lane (docs/jobs.md, "Batch lane").
 * A shard runs up to `batchSize` short jobs in one local activity, so they
 * share one marker event, one core round trip and one activation instead of
 * one each. Every job runs through its own registry definition (input schema,
 * handler, output schema) under its own idempotency key and with its own
 * abort signal, which fires at its own start-to-close timeout; the batch
 * answers one outcome per job and never fails because a job failed. The shard
 * applies each job's retry policy to its outcome.
 *
 * The registry adds this function to what a worker registers
 * (`ActivityRegistry.toWorkerActivities`); it is not a registry name a DAG
 * node or a job can call.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import { withCallOverrides } from '../context';
import type { AnyActivityDefinition } from '../registry';
import { jobIdempotencyKey, type JobBatchInput, type JobBatchItem, type JobOutcome } from '../../workflows/jobs/types';

/** The outcome the one-job lane would report for this error: same message and type, retryability, Retry-After. */
export function outcomeOfError(err: unknown): JobOutcome {
  if (err instanceof ApplicationFailure) {
    const delayMs = err.nextRetryDelay === undefined || err.nextRetryDelay === null ? undefined : msOptionalToNumber(err.nextRetryDelay);
    return {
      ok: false,
      error: { message: err.message, ...(err.type ? { type: err.type } : {}) },
      ...(err.nonRetryable ? { nonRetryable: true as const } : {}),
      ...(delayMs !== undefined ? { retryDelayMs: delayMs } : {}),
    };
  }
  if (err instanceof Error) return { ok: false, error: { message: err.message, type: err.name } };
  return { ok: false, error: { message: String(err) } };
}

/** Thrown into a job's abort signal when its own timeout passes. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`job ${jobId} passed its start-to-close timeout of ${timeoutMs} ms in the batch lane`);
  }
}

async function runOne(job: JobBatchItem, lookup: (name: string) => AnyActivityDefinition | undefined, running: Set<AbortController>): Promise<JobOutcome> {
  const definition = lookup(job.activity);
  // As the one-job lane: the SDK answers an unregistered type with a retryable NotFoundError.
  if (!definition) return { ok: false, error: { message: `Activity function ${job.activity} is not registered on this Worker`, type: 'NotFoundError' } };
  const controller = new AbortController();
  running.add(controller);
  const began = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<JobOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new JobTimeoutError(job.id, job.timeoutMs));
      // The same error the one-job lane's describeFailure gives a timed-out local activity.
      resolve({ ok: false, error: { message: `activity timed out (start-to-close, ${job.timeoutMs} ms)`, type: 'ActivityTimeout' } });
    }, job.timeoutMs);
  });
  const ran = withCallOverrides({ idempotencyKey: jobIdempotencyKey(job.id), signal: controller.signal }, () => definition.run(job.input)).then(
    (output): JobOutcome => ({ ok: true, output: output ?? null }),
    outcomeOfError,
  );
  try {
    // A job past its timeout is answered as timed out; its handler was told through its signal and
    // its late result is dropped, as Temporal drops a timed-out activity's.
    // How long it ran, for the shard's rule on chaining waves (types.ts, JobOutcome).
    return { ...(await Promise.race([ran, timedOut])), ms: Math.ceil(performance.now() - began) };
  } finally {
    clearTimeout(timer);
    running.delete(controller);
  }
}

export function createJobBatchActivity(lookup: (name: string) => AnyActivityDefinition | undefined): (input: JobBatchInput) => Promise<JobOutcome[]> {
  const batch = async (input: JobBatchInput): Promise<JobOutcome[]> => {
    const signal = Context.current().cancellationSignal;
    // One listener for the batch: cancelling the batch (a worker shutting down) aborts every running job.
    const running = new Set<AbortController>();
    const onAbort = (): void => running.forEach((c) => c.abort(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    const outcomes: JobOutcome[] = new Array<JobOutcome>(input.jobs.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < input.jobs.length; i = next++) outcomes[i] = await runOne(input.jobs[i]!, lookup, running);
    };
    const width = Math.max(1, Math.min(input.concurrency, input.jobs.length));
    try {
      await Promise.all(Array.from({ length: width }, lane));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return outcomes;
  };
  Object.defineProperty(batch, 'name', { value: 'weft.jobs.batch' });
  return batch;
}
