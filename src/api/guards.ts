/**
 * What happens before a route's handler: the bearer check, then 404/405 for
 * paths and methods the API does not serve, and the answers for URLs Fastify's
 * router rejects itself. All of them come after auth (a caller without a token
 * learns nothing about routes), and all answer in the API's error shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorizationOf } from './auth';
import { ApiError, ERROR_CODES, toApiError } from './errors';
import type { RouteTable } from './route';

export type Authorizer = ((authorization: string | undefined) => boolean) | undefined;

function send(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.status).headers(err.headers).send(err.toBody());
}

/** The 401 for a request without a valid token, or undefined when it may pass. */
function unauthorized(authorized: Authorizer, request: FastifyRequest, isPublic: boolean): ApiError | undefined {
  // The console's httpOnly session cookie counts as the bearer token; the request's own header wins.
  const authorization = authorizationOf(request.headers);
  if (!authorized || isPublic || authorized(authorization)) return undefined;
  const missing = !authorization;
  return new ApiError(401, ERROR_CODES.UNAUTHORIZED, missing ? 'send Authorization: Bearer <token>' : 'the bearer token is not valid');
}

function sendUnauthorized(reply: FastifyReply, err: ApiError): FastifyReply {
  return send(reply.header('www-authenticate', 'Bearer realm="weft"'), err);
}

/** Methods served at a concrete path, from the route patterns (HEAD wherever GET is, as Fastify adds it). */
export function allowedMethods(table: RouteTable, path: string): string[] {
  const methods = new Set<string>();
  for (const route of table.routes) {
    const pattern = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\?:[A-Za-z0-9_]+/g, '[^/]+')}/?$`);
    if (!pattern.test(path)) continue;
    methods.add(route.method);
    if (route.method === 'GET' && !route.stream) methods.add('HEAD');
  }
  return [...methods].sort();
}

/** 404 for a path no route serves, 405 with Allow for a path served with other methods. */
function sendUnrouted(table: RouteTable, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0]!;
  const allow = allowedMethods(table, path);
  if (allow.length === 0) return send(reply, new ApiError(404, ERROR_CODES.NOT_FOUND, `no route ${request.method} ${path}`));
  const err = new ApiError(405, ERROR_CODES.METHOD_NOT_ALLOWED, `${request.method} is not served at ${path}; use ${allow.join(', ')}`);
  return send(reply.header('allow', allow.join(', ')), err);
}

export function installGuards(app: FastifyInstance, table: RouteTable, authorized: Authorizer): void {
  // onRequest runs before the body is read, so neither a missing token nor a wrong method costs a parse.
  app.addHook('onRequest', async (request, reply) => {
    if (reply.sent) return undefined;
    const denied = unauthorized(authorized, request, request.routeOptions.config.public === true);
    if (denied) return sendUnauthorized(reply, denied);
    return request.is404 ? sendUnrouted(table, request, reply) : undefined;
  });

  // Reached only when the onRequest hook did not answer (it always does for unmatched routes); kept for safety.
  app.setNotFoundHandler(async (request, reply) => sendUnrouted(table, request, reply));
}

/**
 * Fastify's `frameworkErrors`: the router's own refusals (a path parameter
 * over maxParamLength, a URL that does not decode) happen before any hook, so
 * auth is checked here first, and the answer takes the API's shape.
 */
export function frameworkErrors(authorized: Authorizer): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    // The console's files are public (src/api/console.ts); a bad URL under them is just a bad request.
    const underConsole = request.url === '/ui' || request.url.startsWith('/ui/');
    const denied = unauthorized(authorized, request, underConsole);
    if (denied) return void sendUnauthorized(reply, denied);
    const err = toApiError(error);
    return void send(reply, err.status === 414 ? new ApiError(414, err.code, `the URL has a path segment longer than the longest id the API accepts`) : err);
  };
}
