/**
 * /v1/console/runs/:id/dag and /v1/console/runs/:id/nodes/:node: the compiled
 * DAG a run executes, and one node's details (its evaluated input, output,
 * error with stack, attempts, and a map node's items). The status query has
 * neither the DAG nor inputs; both are in the run's history, and the payloads
 * go through the client's data converter, so the payload codec decodes them.
 */
import { z } from 'zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { toCompiled } from '../../dag/pack';
import { RunNotFoundError } from '../../client/weft-client';
import type { DagRunArgs } from '../../workflows/dag-run';
import type { ApiContext } from '../context';
import type { RouteTable } from '../route';
import { errorResponseSchema, nodeParamsSchema, nodeStatusSchema, runParamsSchema } from '../schemas';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Most history events read for one node's details; a larger history shows what was found in them. */
const MAX_EVENTS_SCANNED = 50_000;
/** Most map items listed in one node's details. */
const MAX_ITEMS = 500;

const runQuery = z.object({ runId: z.string().min(1).max(200).optional().describe('One execution of the run; default: the latest') }).strict();
const notFound = { description: 'No run with this id', schema: errorResponseSchema };

const attemptSchema = z.object({
  activityId: z.string(),
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
  /** Map nodes: one entry per item (batch) activity, at most 500. */
  items: z.array(attemptSchema.extend({ index: z.number() })).optional(),
  /** True when the history was longer than what was read. */
  truncated: z.boolean(),
});

type Attempt = z.output<typeof attemptSchema>;

export function registerConsoleRunDetailRoutes(table: RouteTable, { weft }: ApiContext): void {
  const namespace = (): string => weft.temporal.options.namespace;
  const converter = () => weft.temporal.options.loadedDataConverter;

  async function latestRunId(id: string, runId?: string): Promise<string> {
    try {
      return (await weft.temporal.workflow.getHandle(id, runId).describe()).runId;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new RunNotFoundError(id);
      throw err;
    }
  }

  async function* history(id: string, runId: string, pageSize: number): AsyncGenerator<HistoryEvent> {
    let nextPageToken: Uint8Array | undefined;
    do {
      const res = await weft.temporal.workflowService.getWorkflowExecutionHistory({ namespace: namespace(), execution: { workflowId: id, runId }, maximumPageSize: pageSize, nextPageToken });
      for (const e of res.history?.events ?? []) yield e;
      nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    } while (nextPageToken);
  }

  table.add({
    method: 'GET',
    url: '/v1/console/runs/:id/dag',
    operationId: 'consoleRunDag',
    tag: 'console',
    summary: 'The compiled DAG a run executes (from its start event)',
    params: runParamsSchema,
    query: runQuery,
    responses: { 200: { description: 'The compiled DAG', schema: z.object({ dag: z.record(z.string(), z.unknown()) }) }, 404: notFound },
    handler: async ({ params, query }) => {
      const runId = await latestRunId(params.id, query.runId);
      for await (const event of history(params.id, runId, 1)) {
        const payloads = event.workflowExecutionStartedEventAttributes?.input?.payloads;
        const [args] = await decodeArrayFromPayloads(converter(), payloads);
        return { dag: toCompiled((args as DagRunArgs).dag) };
      }
      throw new RunNotFoundError(params.id);
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/console/runs/:id/nodes/:node',
    operationId: 'consoleNodeDetail',
    tag: 'console',
    summary: "One node's details: idempotency key, status, evaluated input, error with stack, map items",
    params: nodeParamsSchema,
    query: runQuery,
    responses: { 200: { description: 'The node', schema: nodeDetailSchema }, 404: notFound },
    handler: async ({ params, query }) => {
      const runId = await latestRunId(params.id, query.runId);
      const view = await weft.getRun(params.id, { runId, outputs: true });
      const status = view.status?.nodes.find((n) => n.id === params.node);
      const byScheduledId = new Map<string, Attempt>();
      let scanned = 0;
      let truncated = false;
      for await (const e of history(params.id, runId, 1000)) {
        if (++scanned > MAX_EVENTS_SCANNED) {
          truncated = true;
          break;
        }
        await recordActivityEvent(e, params.node, byScheduledId, converter());
      }
      const attempts = [...byScheduledId.values()];
      const itemOf = (a: Attempt): number | undefined => (a.activityId.startsWith(`${params.node}/`) ? Number(a.activityId.slice(params.node.length + 1)) : undefined);
      const items = attempts.flatMap((a) => {
        const index = itemOf(a);
        return index === undefined || Number.isNaN(index) ? [] : [{ ...a, index }];
      });
      return {
        node: params.node,
        idempotencyKey: `${params.id}/${params.node}`,
        ...(status ? { status } : {}),
        ...(attempts.length ? { activity: attempts.find((a) => itemOf(a) === undefined) ?? attempts[0] } : {}),
        ...(items.length ? { items: items.slice(0, MAX_ITEMS) } : {}),
        truncated: truncated || items.length > MAX_ITEMS,
      };
    },
  });
}

/** Folds one history event into the node's activities, keyed by the scheduled event's id. */
async function recordActivityEvent(e: HistoryEvent, node: string, byId: Map<string, Attempt>, converter: Parameters<typeof decodeArrayFromPayloads>[0]): Promise<void> {
  const scheduled = e.activityTaskScheduledEventAttributes;
  if (scheduled) {
    const activityId = scheduled.activityId ?? '';
    if (activityId !== node && !activityId.startsWith(`${node}/`)) return;
    let input: unknown;
    try {
      [input] = await decodeArrayFromPayloads(converter, scheduled.input?.payloads);
    } catch {
      input = '(the payload could not be decoded)';
    }
    // A retried item is scheduled again under the same activity id; the latest wins.
    for (const [k, v] of byId) if (v.activityId === activityId) byId.delete(k);
    byId.set(String(e.eventId), { activityId, input, state: 'scheduled' });
    return;
  }
  const ref = e.activityTaskStartedEventAttributes ?? e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
  const a = ref?.scheduledEventId != null ? byId.get(String(ref.scheduledEventId)) : undefined;
  if (!a) return;
  if (e.activityTaskStartedEventAttributes) {
    a.state = 'started';
    a.attempt = e.activityTaskStartedEventAttributes.attempt ?? undefined;
  } else if (e.activityTaskCompletedEventAttributes) a.state = 'completed';
  else if (e.activityTaskCanceledEventAttributes) a.state = 'cancelled';
  else {
    const failure = e.activityTaskFailedEventAttributes?.failure ?? e.activityTaskTimedOutEventAttributes?.failure;
    a.state = e.activityTaskFailedEventAttributes ? 'failed' : 'timed_out';
    // A timeout's cause is the last failure of the activity itself, when there was one.
    const own = e.activityTaskFailedEventAttributes ? failure : (failure?.cause ?? failure);
    if (own) {
      a.error = {
        message: own.message ?? 'failed',
        ...(own.applicationFailureInfo?.type ? { type: own.applicationFailureInfo.type } : {}),
        ...(own.stackTrace ? { stack: own.stackTrace } : {}),
      };
    }
  }
}
