/**
 * The HTTP API as an app factory: `buildApi` returns a Fastify instance that
 * is not listening yet, so tests can `inject` or listen on port 0, and
 * `weft api` / `weft dev` listen where the config says (see ./main.ts).
 * The API holds no logic: routes parse the request with zod, call
 * WeftClient, and render the result or the error.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../common/logger';
import type { WeftClient } from '../client/weft-client';
import { locateJsonError } from '../dag/parse';
import { bearerChecker, type ApiAuth } from './auth';
import { registerConsole } from './console';
import { MAX_ENCODED_ID_LENGTH } from './schemas';
import type { ApiContext } from './context';
import { ApiError, ERROR_CODES, toApiError } from './errors';
import { frameworkErrors, installGuards } from './guards';
import { ApiMetrics } from './metrics';
import { installDrain } from './drain';
import { buildOpenApi } from './openapi';
import { installRoutes, RouteTable } from './route';
import { registerDagRoutes } from './routes/dags';
import { registerEventRoutes } from './routes/events';
import { registerOpsRoutes } from './routes/ops';
import { registerRunRoutes } from './routes/runs';
import { registerScheduleRoutes } from './routes/schedules';
import { registerQueueRoutes } from './routes/queues';
import { registerJobRoutes } from './routes/jobs';
import { installHttpTracing } from '../telemetry/http-server';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a token. */
    public?: boolean;
  }
}

export const API_VERSION = '1.0.0';

export interface BuildApiOptions {
  weft: WeftClient;
  /** Bearer tokens (at least one), or auth off, which only `weft dev` and `--insecure-no-auth` should ask for. */
  auth: ApiAuth;
  /** Largest request body; bigger ones get 413. @defaultValue 1 MiB */
  bodyLimitBytes?: number;
  /** Request logs go here. @defaultValue no logging */
  logger?: Logger;
  /** Readiness check for /readyz. @defaultValue Temporal answers GetSystemInfo within 2 s */
  ready?: () => Promise<boolean>;
  /** How often an event stream polls the run, in ms. @defaultValue 300 */
  eventsPollMs?: number;
  /** Deadline for the Temporal calls of one request (and of one event-stream poll), in ms. @defaultValue 10000 */
  temporalTimeoutMs?: number;
  /**
   * Deadline for starting a run (POST /v1/runs), in ms. Longer than other
   * requests because a burst of starts queues up at Temporal; a start that
   * still misses it answers 503 with `mayExist: true`. @defaultValue 30000
   */
  startTimeoutMs?: number;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Fails like Fastify's own parser on keys that could reach an object's prototype. */
function rejectPrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)) {
    throw new ApiError(400, ERROR_CODES.INVALID_JSON, `the body may not contain the key "${key}"`, [{ path: '(body)', message: `key "${key}" is not allowed`, code: 'invalid_json' }]);
  }
  return value;
}

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text, rejectPrototypeKeys) as unknown;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const found = locateJsonError(text) ?? { offset: 0, message: (err as Error).message };
    const before = text.slice(0, found.offset).split('\n');
    const where = `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
    throw new ApiError(400, ERROR_CODES.INVALID_JSON, `the body is not valid JSON: ${found.message} at ${where}`, [
      { path: '(body)', message: `${found.message} at ${where}`, code: 'invalid_json' },
    ]);
  }
}

async function temporalAnswers(weft: WeftClient): Promise<boolean> {
  try {
    await weft.temporal.withDeadline(Date.now() + 2000, () => weft.temporal.connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

export function buildApi(opts: BuildApiOptions): FastifyInstance {
  const authorized = bearerChecker(opts.auth);
  const bodyLimit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    bodyLimit,
    // Path parameters as long as the longest id a start accepts, percent-encoded (Fastify's default is 100).
    routerOptions: { maxParamLength: MAX_ENCODED_ID_LENGTH },
    frameworkErrors: frameworkErrors(authorized),
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // drain.ts answers requests that arrive while closing, in the API's error shape.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;

  const timeoutMs = opts.temporalTimeoutMs ?? 10_000;
  const ctx: ApiContext = {
    weft: opts.weft,
    metrics: new ApiMetrics(),
    ready: opts.ready ?? (() => temporalAnswers(opts.weft)),
    eventsPollMs: opts.eventsPollMs ?? 300,
    withDeadline: (fn, ms = timeoutMs) => opts.weft.temporal.withDeadline(Date.now() + ms, fn),
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    streams: new Set(),
  };

  installDrain(app, ctx.streams);
  installHttpTracing(app);

  // Fastify reads text/plain as a string by default; the API takes JSON only, and says so with 415.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  const table = new RouteTable();
  installGuards(app, table, authorized);

  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.observe(request.method, request.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (error, request, reply) => {
    let apiError = toApiError(error);
    if (apiError.status === 413) apiError = new ApiError(413, apiError.code, `the request body is larger than the limit of ${bodyLimit} bytes`);
    if (apiError.status >= 500) request.log.error({ err: error }, apiError.message);
    return reply.code(apiError.status).headers(apiError.headers).send(apiError.toBody());
  });

  registerRunRoutes(table, ctx);
  registerEventRoutes(table, ctx);
  registerDagRoutes(table, ctx);
  registerScheduleRoutes(table, ctx);
  registerQueueRoutes(table, ctx);
  registerJobRoutes(table, ctx);
  registerConsole(app, table, ctx, authorized);
  let openapi: unknown;
  registerOpsRoutes(table, ctx, () => (openapi ??= buildOpenApi(table, { title: 'Weft HTTP API', version: API_VERSION })));
  installRoutes(app, table, { withDeadline: ctx.withDeadline });
  return app;
}
