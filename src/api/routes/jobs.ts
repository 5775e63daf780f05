/**
 * /v1/jobs: single jobs on sharded job queues (docs/jobs.md). A job id is
 * `<queue>/<key>`, so its URL is /v1/jobs/<queue>/<key>.
 */
import { z } from 'zod';
import type { ApiContext } from '../context';
import { ApiError, ERROR_CODES } from '../errors';
import type { RouteTable } from '../route';
import { errorResponseSchema } from '../schemas';
import { retrySchema, timeoutSchema } from '../../dag/schema';
import { JobValidationError } from '../../client/jobs';
import { JOB_KEY_PATTERN, QUEUE_NAME_PATTERN } from '../../workflows/jobs/spec';

const queueName = z.string().regex(QUEUE_NAME_PATTERN, 'expected a queue name of 1–100 lowercase letters, digits, ".", "_" and "-"');
const jobKey = z.string().regex(JOB_KEY_PATTERN, 'expected a key of 1–200 letters, digits and . _ : @ - (no "/")');

const enqueueBody = z
  .object({
    queue: queueName,
    key: jobKey.optional().describe('Idempotency key; the Idempotency-Key header wins over it. The job id is <queue>/<key>'),
    activity: z.string().min(1).describe('Registry name of the activity, e.g. http.request'),
    input: z.unknown().optional().describe('Literal JSON input of the activity (at most 64 KiB)'),
    retry: retrySchema.optional(),
    timeout: timeoutSchema.optional(),
  })
  .strict();

const enqueueHeaders = z.object({ 'idempotency-key': jobKey.optional().describe('Job key: the same key gives the same job id, and the job runs once') });
const jobParams = z.object({ queue: queueName, key: jobKey });

const enqueuedSchema = z.object({ id: z.string(), queue: z.string(), shard: z.number(), shardId: z.string() });
const jobSchema = z.object({
  id: z.string(),
  queue: z.string(),
  shard: z.number(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed']),
  activity: z.string(),
  submittedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  attempt: z.number().optional(),
  output: z.unknown().optional(),
  outputDropped: z.boolean().optional(),
  error: z.object({ message: z.string(), type: z.string().optional() }).optional(),
  failedRecord: z.string().optional().describe('Workflow id of the failed record, listed by GET /v1/runs?status=Failed'),
});

/** Problems found past the schema (unknown activity, input size, heartbeat) as a 400 with their paths. */
function asApiError(err: unknown, keyFromHeader: boolean): unknown {
  if (!(err instanceof JobValidationError)) return err;
  const issues = err.issues.map((i) => ({ path: keyFromHeader && i.path === 'key' ? 'Idempotency-Key' : i.path, message: i.message, code: 'invalid_job' }));
  return new ApiError(400, ERROR_CODES.INVALID_REQUEST, `the job has ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}`, issues);
}

export function registerJobRoutes(table: RouteTable, { weft }: ApiContext): void {
  table.add({
    method: 'POST',
    url: '/v1/jobs',
    operationId: 'enqueueSingleJob',
    tag: 'jobs',
    summary: 'Enqueue one job: one activity call on a sharded job queue',
    description: 'Answers once Temporal acknowledged the signal carrying the job. The same key (header or body) gives the same id and runs once while the queue remembers it.',
    headers: enqueueHeaders,
    body: enqueueBody,
    responses: {
      202: { description: 'The job was accepted (or was a duplicate of one the queue remembers)', schema: enqueuedSchema },
      400: { description: 'Invalid job', schema: errorResponseSchema },
    },
    handler: async ({ headers, body, reply }) => {
      const key = headers['idempotency-key'] ?? body.key;
      try {
        const ref = await weft.jobs.enqueue({ ...body, ...(key ? { key } : {}) });
        return reply.code(202).send(ref);
      } catch (err) {
        throw asApiError(err, headers['idempotency-key'] !== undefined);
      }
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/jobs/:queue/:key',
    operationId: 'getSingleJob',
    tag: 'jobs',
    summary: 'State of one job: pending, running, succeeded (with output, within retention) or failed (with error)',
    params: jobParams,
    responses: { 200: { description: 'The job', schema: jobSchema }, 404: { description: 'No such job remembered, and no failed record', schema: errorResponseSchema } },
    handler: async ({ params }) => weft.jobs.getJob(`${params.queue}/${params.key}`),
  });

  table.add({
    method: 'POST',
    url: '/v1/jobs/:queue/:key/retry',
    operationId: 'retrySingleJob',
    tag: 'jobs',
    summary: 'Re-enqueue a failed job under the same id (so the same idempotency key)',
    params: jobParams,
    responses: {
      202: { description: 'Re-enqueued', schema: enqueuedSchema },
      404: { description: 'No such job', schema: errorResponseSchema },
      409: { description: 'The job is not failed', schema: errorResponseSchema },
    },
    handler: async ({ params, reply }) => reply.code(202).send(await weft.jobs.retry(`${params.queue}/${params.key}`)),
  });
}
