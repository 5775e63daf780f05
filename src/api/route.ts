/**
 * A route is declared once, with the zod schemas of its path parameters,
 * query, headers and body and of its responses. The same declaration
 * registers it with Fastify (which parses the request with the schemas before
 * the handler runs) and describes it in /openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError, ERROR_CODES, type ApiIssue } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponse {
  description: string;
  /** JSON body; leave out for responses without one (or give `contentType`). */
  schema?: z.ZodType;
  /** A non-JSON body, e.g. `text/event-stream`. */
  contentType?: string;
  /** Response headers worth documenting, by name → description. */
  headers?: Record<string, string>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ParsedRequest<P, Q, H, B> {
  params: P;
  query: Q;
  headers: H;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, H extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: HttpMethod;
  /** Fastify's pattern: `/v1/runs/:id`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Served without a token (health, metrics, the OpenAPI document). */
  public?: boolean;
  /** A long-lived response (SSE): no deadline on its Temporal calls. */
  stream?: boolean;
  /** Deadline of this route's Temporal calls, in ms. @defaultValue the API's temporalTimeoutMs */
  timeoutMs?: number;
  params?: P;
  query?: Q;
  /** Header names in lower case. */
  headers?: H;
  body?: B;
  responses: Record<number, RouteResponse>;
  handler: (req: ParsedRequest<Out<P>, Out<Q>, Out<H>, Out<B>>) => Promise<unknown>;
}

/** A route as the table keeps it: its schemas, with the handler's parsed types erased. */
export interface AnyRoute extends Omit<RouteSpec<undefined, undefined, undefined, undefined>, 'params' | 'query' | 'headers' | 'body' | 'handler'> {
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: z.ZodType;
  body?: z.ZodType;
  handler: (req: ParsedRequest<unknown, unknown, unknown, unknown>) => Promise<unknown>;
}

/** Routes, in the order they are declared; the OpenAPI document lists them in this order. */
export class RouteTable {
  readonly routes: AnyRoute[] = [];

  add<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, H extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<P, Q, H, B>,
  ): void {
    // The handler's parameter types come from the same schemas that parse the request (parseRequest).
    this.routes.push(spec as unknown as AnyRoute);
  }
}

type Part = 'params' | 'query' | 'headers' | 'body';
type ZodIssue = z.core.$ZodIssue;

/** `idempotency-key` → `Idempotency-Key`, as people write header names. */
export function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * `nodes[2].id` style, like the DAG validator's paths. Body paths start at the
 * body's fields, query and path parameters and headers at their names.
 */
function issuePath(part: Part, path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const [i, key] of path.entries()) {
    const name = part === 'headers' && i === 0 ? headerName(String(key)) : String(key);
    out += typeof key === 'number' ? `[${key}]` : out ? `.${name}` : name;
  }
  return out || `(${part})`;
}

function toIssues(part: Part, issues: readonly ZodIssue[]): ApiIssue[] {
  return issues.flatMap((issue): ApiIssue[] => {
    // An unknown field is reported at the field itself, as the DAG validator does.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: issuePath(part, [...issue.path, k]), message: `unknown field "${k}"`, code: 'unknown_field' }));
    }
    return [{ path: issuePath(part, issue.path), message: issue.message, code: issue.code }];
  });
}

/** Parses every part of the request, and reports the problems of all of them at once. */
export function parseRequest(route: AnyRoute, request: FastifyRequest): { params: unknown; query: unknown; headers: unknown; body: unknown } {
  const issues: ApiIssue[] = [];
  const parse = (part: Part, value: unknown): unknown => {
    const schema = route[part];
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...toIssues(part, result.error.issues));
    return undefined;
  };
  const parsed = {
    params: parse('params', request.params),
    query: parse('query', request.query),
    headers: parse('headers', request.headers),
    body: parse('body', request.body),
  };
  if (issues.length > 0) {
    const problems = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    throw new ApiError(400, ERROR_CODES.INVALID_REQUEST, `the request has ${problems}`, issues);
  }
  return parsed;
}

export interface InstallOptions {
  /** Runs the handler's Temporal calls under a deadline (the route's own, when it has one). */
  withDeadline: <R>(fn: () => Promise<R>, timeoutMs?: number) => Promise<R>;
}

export function installRoutes(app: FastifyInstance, table: RouteTable, opts: InstallOptions): void {
  for (const route of table.routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { public: route.public === true },
      // HEAD on an event stream would poll until the run closes, for nothing.
      exposeHeadRoute: !route.stream,
      handler: async (request, reply) => {
        const parsed = parseRequest(route, request);
        const run = (): Promise<unknown> => route.handler({ ...parsed, request, reply });
        return route.stream ? run() : opts.withDeadline(run, route.timeoutMs);
      },
    });
  }
}
