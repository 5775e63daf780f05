/** /v1/runs: start, read, list, cancel, retry, and decide approvals. Each route parses, calls WeftClient, renders. */
import { StartRefusedError } from '../admission';
import type { ApiContext } from '../context';
import { runPath } from '../context';
import type { RouteTable } from '../route';
import {
  approvalResultSchema,
  cancelResponseSchema,
  decisionBodySchema,
  errorResponseSchema,
  getRunQuerySchema,
  listRunsQuerySchema,
  nodeParamsSchema,
  retryBodySchema,
  retryResponseSchema,
  runListSchema,
  runParamsSchema,
  runViewSchema,
  startedRunSchema,
  startRunBodySchema,
  startRunHeadersSchema,
} from '../schemas';

const notFound = { description: 'No run with this id', schema: errorResponseSchema };
const location = { Location: 'Path of the run: /v1/runs/{id}' };

export function registerRunRoutes(table: RouteTable, { weft, startTimeoutMs, startGate }: ApiContext): void {
  table.add({
    method: 'POST',
    url: '/v1/runs',
    operationId: 'startRun',
    tag: 'runs',
    summary: 'Start a run of a named DAG or an inline definition',
    description:
      'Returns at once. The run id is the Idempotency-Key header, else `id`, else `<dag>-<uuid>`; starting again with the same id ' +
      'returns the first run (`existing: true`), whether it is running or closed. A 503 from a start means Temporal did not confirm it: ' +
      'the run may exist (`mayExist: true`, with its `id`), and starting again with the same Idempotency-Key is safe. ' +
      'Past its bound on concurrent starts (`api.starts`), the API refuses a start at once with 503 `overloaded` and `mayExist: false`: ' +
      'it was not sent to Temporal; start again with the same Idempotency-Key after Retry-After.',
    timeoutMs: startTimeoutMs,
    headers: startRunHeadersSchema,
    body: startRunBodySchema,
    responses: {
      202: { description: 'The run was started, or already existed with this id', schema: startedRunSchema, headers: location },
      400: { description: 'Invalid body, invalid inline DAG (`invalid_dag`), or input that fails the DAG\'s input schema (`invalid_input`)', schema: errorResponseSchema },
      404: { description: 'No DAG with this name in the DAGs folder', schema: errorResponseSchema },
      422: { description: 'The named DAG\'s definition file is invalid (`dag_invalid`, with its problems)', schema: errorResponseSchema },
      503: {
        description:
          'Temporal did not confirm the start in time, or is unavailable (`temporal_unavailable`, `mayExist: true`, the run `id`); or the API is at its bound on ' +
          'concurrent starts and did not send it (`overloaded`, `mayExist: false`). Always `retryable: true`: start again with the same Idempotency-Key (or id)',
        schema: errorResponseSchema,
        headers: { 'Retry-After': 'Seconds to wait before retrying' },
      },
    },
    handler: async ({ body, headers, reply }) => {
      const id = headers['idempotency-key'] ?? body.id;
      let release: () => void;
      try {
        release = await startGate.acquire(id);
      } catch (err) {
        throw err instanceof StartRefusedError ? err.toApiError() : err;
      }
      try {
        const started = await weft.startRun({ ...body, id });
        return reply.code(202).header('location', runPath(started.id)).send(started);
      } finally {
        release();
      }
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/runs',
    operationId: 'listRuns',
    tag: 'runs',
    summary: 'List runs, newest first',
    query: listRunsQuerySchema,
    responses: { 200: { description: 'The runs that match', schema: runListSchema } },
    handler: async ({ query }) => ({ runs: await weft.listRuns(query) }),
  });

  table.add({
    method: 'GET',
    url: '/v1/runs/:id',
    operationId: 'getRun',
    tag: 'runs',
    summary: "A run's status, with every node's state",
    params: runParamsSchema,
    query: getRunQuerySchema,
    responses: { 200: { description: 'The run', schema: runViewSchema }, 404: notFound },
    handler: async ({ params, query }) => weft.getRun(params.id, query),
  });

  table.add({
    method: 'POST',
    url: '/v1/runs/:id/cancel',
    operationId: 'cancelRun',
    tag: 'runs',
    summary: 'Cancel a running run',
    description: 'Activities in flight are cancelled, and compensations run when the DAG has `onFailure: compensate`.',
    params: runParamsSchema,
    responses: {
      202: { description: 'Cancellation was requested', schema: cancelResponseSchema },
      404: notFound,
      409: { description: 'The run is not running', schema: errorResponseSchema },
    },
    handler: async ({ params, reply }) => {
      await weft.cancelRun(params.id);
      return reply.code(202).send({ id: params.id, cancelRequested: true });
    },
  });

  table.add({
    method: 'POST',
    url: '/v1/runs/:id/retry',
    operationId: 'retryRun',
    tag: 'runs',
    summary: 'Re-run a closed run under the same id',
    description: 'Every node keeps its idempotency key. With `fromFailed`, nodes that succeeded are not run again; their outputs are reused.',
    params: runParamsSchema,
    body: retryBodySchema,
    responses: {
      202: { description: 'The new execution was started', schema: retryResponseSchema, headers: location },
      404: notFound,
      409: { description: 'The run is still running', schema: errorResponseSchema },
    },
    handler: async ({ params, body, reply }) => {
      const r = await weft.retryRun(params.id, body);
      return reply.code(202).header('location', runPath(r.id)).send({ id: r.id, runId: r.runId, reused: r.reused });
    },
  });

  for (const decision of ['approve', 'reject'] as const) {
    table.add({
      method: 'POST',
      url: `/v1/runs/:id/nodes/:node/${decision}`,
      operationId: `${decision}Node`,
      tag: 'runs',
      summary: decision === 'approve' ? 'Approve an approval node' : 'Reject an approval node (the node fails)',
      params: nodeParamsSchema,
      body: decisionBodySchema,
      responses: {
        200: { description: 'The run accepted the decision', schema: approvalResultSchema },
        404: notFound,
        409: { description: 'The run refused the decision: the node is not waiting for one, is not an approval, or does not exist', schema: errorResponseSchema },
      },
      handler: async ({ params, body }) => weft.decide(params.id, { node: params.node, decision, ...body }),
    });
  }
}
