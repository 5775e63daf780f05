/**
 * /v1/console/runs/:id/dag and /v1/console/runs/:id/nodes/:node: what the
 * run page draws first (the run's summary and the DAG it executes), and one
 * node's details (its evaluated input, output, error with stack, attempts,
 * and a map node's items).
 *
 * The first is cheap on purpose: the page draws its graph from it while the
 * status (a query, which replays a closed run) is still on its way. The DAG
 * comes from the cache by the hash in the run's memo when it is there, else
 * from the run's start event.
 */
import { z } from 'zod';
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { RunNotFoundError } from '../../client/weft-client';
import { runSummaryOf } from '../../client/run-types';
import type { DagRunArgs } from '../../workflows/dag-run';
import type { ApiContext } from '../context';
import type { RouteTable } from '../route';
import { errorResponseSchema, getRunQuerySchema, nodeParamsSchema, nodeStatusSchema, runParamsSchema, runSummarySchema } from '../schemas';
import type { PackedDagCache } from './console-dags';
import { readNodeHistory, type Attempt } from './console-history';

/** Most map items listed in one node's details. */
const MAX_ITEMS = 500;

const runQuery = getRunQuerySchema.pick({ runId: true }).strict();
const notFound = { description: 'No run with this id', schema: errorResponseSchema };

const attemptSchema = z.object({
  activityId: z.string(),
  runId: z.string().describe('The execution the activity ran in (a run that continued-as-new has several)'),
  input: z.unknown().optional(),
  attempt: z.number().optional(),
  state: z.enum(['scheduled', 'started', 'completed', 'failed', 'timed_out', 'cancelled']),
  error: z.object({ message: z.string(), type: z.string().optional(), stack: z.string().optional() }).optional(),
});

const nodeDetailSchema = z.object({
  node: z.string(),
  idempotencyKey: z.string(),
  status: nodeStatusSchema.optional(),
  /** The latest activity of the node (for map nodes: of the first item), with its evaluated input. */
  activity: attemptSchema.optional(),
  /** Map nodes: one entry per item (batch) activity, by index, at most 500. */
  items: z.array(attemptSchema.extend({ index: z.number() })).optional(),
  /** The executions read, latest first. */
  executions: z.array(z.string()),
  /** True when the history was longer than what was read, or there were more items than listed. */
  truncated: z.boolean(),
});

const runHeadSchema = runSummarySchema.extend({ taskQueue: z.string(), historyLength: z.number() });

export function registerConsoleRunDetailRoutes(table: RouteTable, { weft }: ApiContext, dags: PackedDagCache): void {
  async function describe(id: string, runId?: string): Promise<WorkflowExecutionDescription> {
    try {
      return await weft.temporal.workflow.getHandle(id, runId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new RunNotFoundError(id);
      throw err;
    }
  }

  /** The packed DAG's JSON: from the cache by the memo's hash, else from the execution's start event. */
  async function dagJson(id: string, desc: WorkflowExecutionDescription): Promise<string> {
    const hash = desc.memo?.weftDagHash;
    const hit = typeof hash === 'string' ? dags.get(hash) : undefined;
    if (hit !== undefined) return hit;
    const res = await weft.temporal.workflowService.getWorkflowExecutionHistory({ namespace: weft.temporal.options.namespace, execution: { workflowId: id, runId: desc.runId }, maximumPageSize: 1 });
    const payloads = res.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    if (!payloads) throw new RunNotFoundError(id);
    const [args] = await decodeArrayFromPayloads(weft.temporal.options.loadedDataConverter, payloads);
    return dags.json((args as DagRunArgs).dag);
  }

  table.add({
    method: 'GET',
    url: '/v1/console/runs/:id/dag',
    operationId: 'consoleRunDag',
    tag: 'console',
    summary: 'A run in brief and the DAG it executes, in its packed form (what the run page draws first)',
    params: runParamsSchema,
    query: runQuery,
    responses: {
      200: {
        description: 'The run and its DAG',
        schema: z.object({ run: runHeadSchema, dag: z.record(z.string(), z.unknown()).describe('The DAG in its packed form (format weft-dag/1), as the run was started with it') }),
      },
      404: notFound,
    },
    handler: async ({ params, query, reply }) => {
      const desc = await describe(params.id, query.runId);
      const run = JSON.stringify({ ...runSummaryOf(desc), taskQueue: desc.taskQueue, historyLength: desc.historyLength });
      return reply.type('application/json; charset=utf-8').send(`{"run":${run},"dag":${await dagJson(params.id, desc)}}`);
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/console/runs/:id/nodes/:node',
    operationId: 'consoleNodeDetail',
    tag: 'console',
    summary: "One node's details: idempotency key, status with output, evaluated input, error with stack, map items; read from the execution the node ran in",
    params: nodeParamsSchema,
    query: runQuery,
    responses: { 200: { description: 'The node', schema: nodeDetailSchema }, 404: notFound },
    handler: async ({ params, query }) => {
      const view = await weft.getRun(params.id, { ...(query.runId ? { runId: query.runId } : {}), outputs: true });
      const status = view.status?.nodes.find((n) => n.id === params.node);
      const read = await readNodeHistory(weft.temporal, params.id, view.runId, params.node, {
        ...(status?.startedAt ? { startedAt: status.startedAt } : {}),
        ...(status?.items ? { items: status.items.total } : {}),
      });
      const itemOf = (a: Attempt): number | undefined => (a.activityId.startsWith(`${params.node}/`) ? Number(a.activityId.slice(params.node.length + 1)) : undefined);
      const items = read.attempts
        .flatMap((a) => {
          const index = itemOf(a);
          return index === undefined || Number.isNaN(index) ? [] : [{ ...a, index }];
        })
        .sort((a, b) => a.index - b.index);
      const own = read.attempts.find((a) => itemOf(a) === undefined) ?? items[0];
      return {
        node: params.node,
        idempotencyKey: `${params.id}/${params.node}`,
        ...(status ? { status } : {}),
        ...(own ? { activity: own } : {}),
        ...(items.length ? { items: items.slice(0, MAX_ITEMS) } : {}),
        executions: read.executions,
        truncated: read.truncated || items.length > MAX_ITEMS,
      };
    },
  });
}
