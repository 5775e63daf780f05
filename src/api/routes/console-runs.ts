/**
 * /v1/console/runs and /v1/console/queues: what the console's lists need and
 * GET /v1/runs does not give. Visibility's next-page token, so a page of
 * 10,000 runs is one round trip however deep it is; counts by status; an id
 * prefix search; and the FIFO queues that exist.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isGrpcServiceError } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { ApiContext } from '../context';
import { ApiError, ERROR_CODES } from '../errors';
import type { RouteTable } from '../route';
import { runSummarySchema } from '../schemas';
import { runSummaryOf } from '../../client/run-types';
import { SEARCH_ATTRIBUTE_KEYS, WORKFLOW_TYPES } from '../../temporal/search-attributes';

const SA_DAG = SEARCH_ATTRIBUTE_KEYS.dag.name;
/** gRPC's status code for a request the server refuses as malformed. */
const GRPC_INVALID_ARGUMENT = 3;

/** Console status names → Temporal's ExecutionStatus names in visibility queries. */
const STATUSES = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
} as const;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date or time');

const filterSchema = z.object({
  dag: z.string().regex(/^[a-z0-9._-]{1,200}$/, 'expected a DAG name').optional().describe('Only runs of this DAG'),
  status: z.enum(Object.keys(STATUSES) as [keyof typeof STATUSES]).optional().describe('Only runs with this execution status'),
  since: isoTime.optional().describe('Started at or after this time'),
  until: isoTime.optional().describe('Started at or before this time'),
  idPrefix: z.string().min(1).max(200).optional().describe('Run ids that start with this'),
});

const listQuerySchema = filterSchema
  .extend({
    pageSize: z.coerce.number().int().min(1).max(500).optional().describe('Runs per page, 1 to 500; default 50'),
    pageToken: z.string().max(4096).regex(/^[A-Za-z0-9_-]*\.[0-9a-f]{16}$/, 'expected the nextPageToken of the previous page').optional(),
  })
  .strict();

const countsSchema = z.object({ total: z.number(), byStatus: z.record(z.string(), z.number()) });
const queueSummarySchema = z.object({ key: z.string(), workflowId: z.string(), startedAt: z.string() });

/**
 * Visibility's page token, with a checksum: a token the server can't decode
 * makes Temporal's client retry until the deadline, so a mangled one is
 * refused here, at once, as the caller's mistake.
 */
function checksum(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

function encodePageToken(raw: Uint8Array): string {
  return `${Buffer.from(raw).toString('base64url')}.${checksum(raw)}`;
}

function decodePageToken(token: string): Buffer {
  const [data = '', sum] = token.split('.');
  const raw = Buffer.from(data, 'base64url');
  if (raw.length === 0 || checksum(raw) !== sum) throw badPageToken();
  return raw;
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The visibility query for a filter; exported for the tests of the query text. */
export function visibilityQuery(f: z.output<typeof filterSchema>, workflowType: string = WORKFLOW_TYPES.dagRun): string {
  const clauses = [`WorkflowType = ${quote(workflowType)}`];
  if (f.dag) clauses.push(`${SA_DAG} = ${quote(f.dag)}`);
  if (f.status) clauses.push(`ExecutionStatus = ${quote(STATUSES[f.status])}`);
  if (f.since) clauses.push(`StartTime >= ${quote(new Date(f.since).toISOString())}`);
  if (f.until) clauses.push(`StartTime <= ${quote(new Date(f.until).toISOString())}`);
  if (f.idPrefix) clauses.push(`WorkflowId STARTS_WITH ${quote(f.idPrefix)}`);
  return clauses.join(' AND ');
}

/** Temporal's status name (Canceled, TimedOut) → the console's (cancelled, timed_out). */
function consoleStatus(name: string): string {
  const found = Object.entries(STATUSES).find(([, v]) => v === name);
  return found ? found[0] : name.toLowerCase();
}

export function registerConsoleRunRoutes(table: RouteTable, { weft }: ApiContext): void {
  const namespace = (): string => weft.temporal.options.namespace;

  table.add({
    method: 'GET',
    url: '/v1/console/runs',
    operationId: 'consoleListRuns',
    tag: 'console',
    summary: 'One page of runs, newest first, with the token of the next page',
    query: listQuerySchema,
    responses: {
      200: { description: 'The page', schema: z.object({ runs: z.array(runSummarySchema), nextPageToken: z.string().optional() }) },
    },
    handler: async ({ query }) => {
      const res = await weft.temporal.workflowService
        .listWorkflowExecutions({
          namespace: namespace(),
          query: visibilityQuery(query),
          pageSize: query.pageSize ?? 50,
          nextPageToken: query.pageToken ? decodePageToken(query.pageToken) : undefined,
        })
        .catch((err: unknown) => {
          // A token from an older filter (or an expired one) that visibility refuses.
          if (query.pageToken && isGrpcServiceError(err) && Number(err.code) === GRPC_INVALID_ARGUMENT) throw badPageToken();
          throw err;
        });
      const runs = await Promise.all(
        (res.executions ?? []).map(async (raw) => runSummaryOf(await executionInfoFromRaw(raw, weft.temporal.options.loadedDataConverter, undefined, namespace()))),
      );
      const token = res.nextPageToken && res.nextPageToken.length > 0 ? encodePageToken(res.nextPageToken) : undefined;
      return { runs, ...(token ? { nextPageToken: token } : {}) };
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/console/runs/counts',
    operationId: 'consoleCountRuns',
    tag: 'console',
    summary: 'How many runs match a filter, by execution status',
    query: filterSchema.strict(),
    responses: { 200: { description: 'The counts', schema: countsSchema } },
    handler: async ({ query }) => {
      const { status: _status, ...rest } = query;
      const counted = await weft.temporal.workflow.count(`${visibilityQuery(rest)} GROUP BY ExecutionStatus`);
      const byStatus: Record<string, number> = {};
      for (const g of counted.groups) byStatus[consoleStatus(String(g.groupValues[0]))] = g.count;
      return { total: counted.count, byStatus };
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/console/queues',
    operationId: 'consoleListQueues',
    tag: 'console',
    summary: 'The FIFO queues that are running (one entity workflow per key)',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional().describe('Most queues to return; default 100') }).strict(),
    responses: { 200: { description: 'The queues', schema: z.object({ queues: z.array(queueSummarySchema) }) } },
    handler: async ({ query }) => {
      const q = `${visibilityQuery({}, WORKFLOW_TYPES.fifoQueue)} AND ExecutionStatus = 'Running'`;
      const queues: z.output<typeof queueSummarySchema>[] = [];
      for await (const w of weft.temporal.workflow.list({ query: q, pageSize: 100 })) {
        // Queue workflow ids are `weft-queue:<key>` (src/client/queues.ts).
        queues.push({ key: w.workflowId.replace(/^weft-queue:/, ''), workflowId: w.workflowId, startedAt: w.startTime.toISOString() });
        if (queues.length >= (query.limit ?? 100)) break;
      }
      return { queues };
    },
  });
}

/** A page token that visibility refuses is the caller's mistake, not the server's. */
function badPageToken(): ApiError {
  return new ApiError(400, ERROR_CODES.INVALID_REQUEST, 'pageToken is not a token this API gave out', [{ path: 'pageToken', message: 'unknown page token' }]);
}
