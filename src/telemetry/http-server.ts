/**
 * A server span for each HTTP request to the API, continuing the caller's
 * W3C `traceparent`. The handler runs inside the span's context, so the
 * Temporal client calls it makes (a run's start) become its children.
 * Installed only while tracing is on.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { activeTracing } from './tracing';
import { WEFT_ATTR } from './attributes';

const spans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();

function dagOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const dag = (body as { dag?: unknown }).dag;
  if (typeof dag === 'string') return dag;
  const name = (dag as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Adds the tracing hooks to `app` when tracing is on; returns whether it did. */
export function installHttpTracing(app: FastifyInstance): boolean {
  if (!activeTracing()) return false;
  const tracer = trace.getTracer('weft-api');
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? '(unmatched)';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] } },
      parent,
    );
    spans.set(request, { span, ctx: trace.setSpan(parent, span) });
    done();
  });
  // Entered after the body is parsed: body parsing runs in the socket's async context, which would drop ours.
  app.addHook('preHandler', (request, _reply, done) => {
    const entry = spans.get(request);
    if (!entry) return done();
    const dag = dagOf(request.body);
    if (dag) entry.span.setAttribute(WEFT_ATTR.dag, dag);
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string') entry.span.setAttribute(WEFT_ATTR.idempotencyKey, key);
    context.with(entry.ctx, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const entry = spans.get(request);
    if (entry) {
      entry.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
      entry.span.end();
      spans.delete(request);
    }
    done();
  });
  return true;
}
