/**
 * /v1/queues: FIFO per key (enqueue, status); /v1/task-queues/:name/backlog:
 * the backlog autoscalers read; and /v1/runs/:id/nodes/:node/resolve for onError: ask.
 */
import { z } from 'zod';
import type { ApiContext } from '../context';
import type { RouteTable } from '../route';
import { errorResponseSchema, inlineDagSchema, nodeParamsSchema, startRunHeadersSchema } from '../schemas';
import { DAG_NAME_PATTERN } from '../../dag/schema';
import { parseDuration, durationError } from '../../dag/duration';
import { readTaskQueueBacklog, TaskQueueBacklogError, TASK_QUEUE_KINDS } from '../../client/backlog';

const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, { error: (iss) => durationError(iss.input) });

const queueParams = z.object({ key: z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'expected 1–200 characters of letters, digits and . _ : @ -') });

const enqueueBody = z
  .object({
    dag: z.union([z.string().regex(DAG_NAME_PATTERN), inlineDagSchema], { error: 'expected the name of a DAG in the DAGs folder, or a DAG definition object' }),
    input: z.unknown().optional(),
    idempotencyKey: z.string().min(1).max(200).optional().describe('Job id; the Idempotency-Key header wins over it'),
    priority: z.number().int().min(1).max(5).optional(),
    queue: z
      .object({ concurrency: z.number().int().min(1).max(1000).optional(), debounce: duration.optional(), throttle: duration.optional(), dedupeWindow: duration.optional() })
      .strict()
      .optional()
      .describe('Settings used when this job creates the queue'),
  })
  .strict();

const enqueuedSchema = z.object({ queue: z.string(), queueId: z.string(), jobId: z.string(), runId: z.string() });
const jobRecord = z.object({ jobId: z.string(), seq: z.number(), state: z.string(), runId: z.string().optional(), acceptedAt: z.number() });
const queueStatusSchema = z.object({
  key: z.string(),
  length: z.number(),
  running: z.array(jobRecord),
  next: z.array(jobRecord),
  recent: z.array(jobRecord),
  counts: z.object({ accepted: z.number(), succeeded: z.number(), failed: z.number(), superseded: z.number(), duplicates: z.number() }),
  generation: z.number(),
});

const taskQueueParams = z.object({ name: z.string().min(1).max(1000) });
const backlogQuery = z
  .object({ types: z.string().regex(/^(workflow|activity)(,(workflow|activity))*$/, 'expected workflow, activity or workflow,activity').optional().describe('Task-queue types to read; default both') })
  .strict();
const typeBacklog = z.object({ kind: z.enum(TASK_QUEUE_KINDS), backlogCount: z.number(), backlogAgeMs: z.number(), addRate: z.number(), dispatchRate: z.number(), pollers: z.number() });
const backlogSchema = z.object({ taskQueue: z.string(), namespace: z.string(), types: z.array(typeBacklog), backlogCount: z.number(), backlogAgeMs: z.number(), readAt: z.string() });

const resolveBody = z
  .object({ action: z.enum(['retry', 'skip', 'abort']), reason: z.string().max(2000).optional(), by: z.string().max(200).optional() })
  .strict();
const resolveResult = z.object({ node: z.string(), action: z.enum(['retry', 'skip', 'abort']), at: z.string() });

export function registerQueueRoutes(table: RouteTable, { weft }: ApiContext): void {
  table.add({
    method: 'POST',
    url: '/v1/queues/:key/jobs',
    operationId: 'enqueueJob',
    tag: 'queues',
    summary: 'Add a job to the FIFO queue of a key',
    description: 'Jobs of one key run in the order accepted, one at a time unless the queue was created with a higher concurrency. A repeated idempotency key within the dedupe window is dropped.',
    params: queueParams,
    headers: startRunHeadersSchema,
    body: enqueueBody,
    responses: {
      202: { description: 'The job was accepted (or was a duplicate)', schema: enqueuedSchema },
      400: { description: 'Invalid body, DAG or input', schema: errorResponseSchema },
      404: { description: 'No DAG with this name', schema: errorResponseSchema },
    },
    handler: async ({ params, headers, body, reply }) => {
      const { dag, input, idempotencyKey, priority, queue } = body;
      const key = headers['idempotency-key'] ?? idempotencyKey;
      const job = await weft.enqueue(params.key, dag, input, { ...(key ? { idempotencyKey: key } : {}), ...(priority ? { priority } : {}), ...(queue ? { queue } : {}) });
      return reply.code(202).send(job);
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/queues/:key',
    operationId: 'getQueue',
    tag: 'queues',
    summary: "A queue's length, running and next jobs, and counts",
    params: queueParams,
    responses: { 200: { description: 'The queue', schema: queueStatusSchema }, 404: { description: 'No queue with this key', schema: errorResponseSchema } },
    handler: async ({ params }) => weft.queueStatus(params.key),
  });

  table.add({
    method: 'GET',
    url: '/v1/task-queues/:name/backlog',
    operationId: 'getTaskQueueBacklog',
    tag: 'queues',
    summary: "A task queue's approximate backlog per type, as KEDA's temporal scaler reads it",
    description: 'Tasks waiting for a worker, the age of the oldest, add and dispatch rates and the number of polling workers, from DescribeTaskQueue with stats. The server caches these figures for a few seconds.',
    params: taskQueueParams,
    query: backlogQuery,
    responses: { 200: { description: 'The backlog', schema: backlogSchema } },
    handler: async ({ params, query }) => {
      const kinds = query.types ? ([...new Set(query.types.split(','))] as (typeof TASK_QUEUE_KINDS)[number][]) : TASK_QUEUE_KINDS;
      try {
        return await readTaskQueueBacklog(weft.temporal, params.name, kinds);
      } catch (e) {
        // Answer with what Temporal said (unavailable, permission) rather than a generic 500.
        throw e instanceof TaskQueueBacklogError ? e.cause : e;
      }
    },
  });

  table.add({
    method: 'POST',
    url: '/v1/runs/:id/nodes/:node/resolve',
    operationId: 'resolveNodeFailure',
    tag: 'runs',
    summary: 'Retry, skip or abort a node that failed with onError: ask',
    params: nodeParamsSchema,
    body: resolveBody,
    responses: {
      200: { description: 'The run accepted the decision', schema: resolveResult },
      404: { description: 'No run with this id', schema: errorResponseSchema },
      409: { description: 'The node is not waiting for a decision, or the run is not running', schema: errorResponseSchema },
    },
    handler: async ({ params, body }) => weft.resolveFailure(params.id, { node: params.node, ...body }),
  });
}
