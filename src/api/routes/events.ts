/** GET /v1/runs/:id/events: the run's status as Server-Sent Events (see ../events.ts for the format). */
import type { ApiContext } from '../context';
import { runEventStream } from '../events';
import type { RouteTable } from '../route';
import { errorResponseSchema, runParamsSchema } from '../schemas';

/** The id after the client's Last-Event-ID, or 1. */
function firstEventId(lastEventId: string | string[] | undefined): number {
  const n = typeof lastEventId === 'string' && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : 0;
  return n + 1;
}

export function registerEventRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'GET',
    url: '/v1/runs/:id/events',
    operationId: 'streamRunEvents',
    tag: 'runs',
    summary: "Stream a run's status as Server-Sent Events",
    description:
      'Events: `status` (the full RunView, first), `node` (a NodeStatus whenever a node changes: state, attempts, progress, error), ' +
      '`run` (the final RunView when the run closes; then the stream ends) and `error` (polling failed; then the stream ends). ' +
      'Each event has an increasing `id`; reconnecting with Last-Event-ID gives a fresh `status` event and ids after it.',
    stream: true,
    params: runParamsSchema,
    responses: {
      200: { description: 'The event stream', contentType: 'text/event-stream' },
      404: { description: 'No run with this id', schema: errorResponseSchema },
    },
    handler: async ({ params, request, reply }) => {
      const poll = () => ctx.withDeadline(() => ctx.weft.getRun(params.id));
      const first = await poll();
      const events = runEventStream({ first, poll, pollMs: ctx.eventsPollMs, firstId: firstEventId(request.headers['last-event-id']) });
      ctx.streams.add(events);
      ctx.metrics.streamOpened();
      reply.raw.once('close', () => events.stop());
      void events.done.finally(() => {
        ctx.streams.delete(events);
        ctx.metrics.streamClosed();
      });
      return reply
        .code(200)
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(events.stream);
    },
  });
}
