/** Operations routes, served without a token: liveness, readiness, Prometheus metrics and the OpenAPI document. */
import type { ApiContext } from '../context';
import { ApiError, ERROR_CODES } from '../errors';
import type { RouteTable } from '../route';
import { errorResponseSchema, healthSchema } from '../schemas';

export function registerOpsRoutes(table: RouteTable, ctx: ApiContext, openapi: () => unknown): void {
  table.add({
    method: 'GET',
    url: '/healthz',
    operationId: 'healthz',
    tag: 'operations',
    summary: 'Liveness: the process is up',
    public: true,
    responses: { 200: { description: 'The process serves requests', schema: healthSchema } },
    handler: async () => ({ status: 'ok' }),
  });

  table.add({
    method: 'GET',
    url: '/readyz',
    operationId: 'readyz',
    tag: 'operations',
    summary: 'Readiness: Temporal answers',
    public: true,
    responses: {
      200: { description: 'Ready to serve', schema: healthSchema },
      503: { description: 'Temporal does not answer', schema: errorResponseSchema },
    },
    handler: async () => {
      if (await ctx.ready()) return { status: 'ready' };
      throw new ApiError(503, ERROR_CODES.NOT_READY, 'not ready: Temporal does not answer');
    },
  });

  table.add({
    method: 'GET',
    url: '/metrics',
    operationId: 'metrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    public: true,
    responses: { 200: { description: 'Metrics in the Prometheus text format', contentType: 'text/plain; version=0.0.4' } },
    handler: async ({ reply }) => reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(await ctx.metrics.render()),
  });

  table.add({
    method: 'GET',
    url: '/openapi.json',
    operationId: 'openapi',
    tag: 'operations',
    summary: 'This OpenAPI 3.1 document',
    public: true,
    responses: { 200: { description: 'The OpenAPI document, generated from the schemas the API validates with' } },
    handler: async () => openapi(),
  });
}
