/**
 * /openapi.json: an OpenAPI 3.1 document generated from the route table and
 * its zod schemas, so the document cannot drift from what the API checks.
 */
import { z } from 'zod';
import { dagSchema } from '../dag/schema';
import { headerName, type AnyRoute, type RouteTable } from './route';
import * as s from './schemas';

type Json = Record<string, unknown>;

/** Schemas shown by name under components.schemas; others are written inline. */
const REQUEST_COMPONENTS: Record<string, z.ZodType> = {
  StartRunRequest: s.startRunBodySchema,
  RetryRequest: s.retryBodySchema,
  DecisionRequest: s.decisionBodySchema,
};

const RESPONSE_COMPONENTS: Record<string, z.ZodType> = {
  Error: s.errorResponseSchema,
  Issue: s.issueSchema,
  StartedRun: s.startedRunSchema,
  RunView: s.runViewSchema,
  RunStatus: s.runStatusSchema,
  NodeStatus: s.nodeStatusSchema,
  RunList: s.runListSchema,
  RunSummary: s.runSummarySchema,
  CancelAccepted: s.cancelResponseSchema,
  RetryAccepted: s.retryResponseSchema,
  ApprovalResult: s.approvalResultSchema,
  DagList: s.dagListSchema,
  DagSummary: s.dagSummarySchema,
  DagIssue: s.dagIssueSchema,
  DagDetail: s.dagDetailSchema,
  Health: s.healthSchema,
};

const REF = (name: string): string => `#/components/schemas/${name}`;

function clean(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** The inline DAG of a start request is described by the DAG definition's own schema. */
function pointInlineDagAtDefinition(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  if (ctx.zodSchema !== s.inlineDagSchema) return;
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  ctx.jsonSchema.$ref = REF('DagDefinition');
}

function components(): Json {
  const requests = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(REQUEST_COMPONENTS)) requests.add(schema, { id });
  const responses = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(RESPONSE_COMPONENTS)) responses.add(schema, { id });
  const input = z.toJSONSchema(requests, { io: 'input', uri: REF, override: pointInlineDagAtDefinition }).schemas;
  const output = z.toJSONSchema(responses, { io: 'output', uri: REF }).schemas;
  // Durations are checked by a function, which JSON Schema cannot say; they show as any value.
  const definition = z.toJSONSchema(dagSchema, { io: 'input', unrepresentable: 'any' });
  return Object.fromEntries(
    [...Object.entries({ ...input, ...output }), ['DagDefinition', definition] as const].map(([id, schema]) => [id, clean(schema as Json)]),
  );
}

function schemaRef(schema: z.ZodType, names: Record<string, z.ZodType>, io: 'input' | 'output'): Json {
  const name = Object.entries(names).find(([, v]) => v === schema)?.[0];
  return name ? { $ref: REF(name) } : clean(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return {
      name: where === 'header' ? headerName(name) : name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const ERROR_RESPONSE = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: REF('Error') } } } });
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string' } } };

function operation(route: AnyRoute): Json {
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const content = r.contentType
      ? { [r.contentType]: { schema: { type: 'string' } } }
      : r.schema
        ? { 'application/json': { schema: schemaRef(r.schema, RESPONSE_COMPONENTS, 'output') } }
        : undefined;
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
      ...(content ? { content } : {}),
    };
  }
  const hasInput = route.params || route.query || route.headers || route.body;
  if (hasInput && !responses['400']) responses['400'] = ERROR_RESPONSE('The request is invalid; `issues` names the path of each problem');
  if (route.params && !responses['404']) responses['404'] = ERROR_RESPONSE('Nothing with this id');
  if (route.params) responses['414'] = ERROR_RESPONSE('A path segment is longer than any id the API accepts (checked after auth)');
  if (!route.public) {
    responses['401'] = ERROR_RESPONSE('Missing or wrong bearer token (checked before anything else)');
    if (!responses['503']) responses['503'] = { ...ERROR_RESPONSE('Temporal is unavailable or did not answer in time; `retryable: true`'), headers: RETRY_AFTER };
  }
  if (route.body) {
    responses['413'] = ERROR_RESPONSE('The body is larger than the limit (1 MiB by default)');
    responses['415'] = ERROR_RESPONSE('The body is not JSON');
  }
  responses['500'] = ERROR_RESPONSE('Unexpected error; details are in the API logs');

  const body = route.body;
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.public ? { security: [] } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...parameters(route.headers, 'header')],
    ...(body
      ? { requestBody: { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: schemaRef(body, REQUEST_COMPONENTS, 'input') } } } }
      : {}),
    responses,
  };
}

/** `/v1/runs/:id` → `/v1/runs/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApi(table: RouteTable, info: { title: string; version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const route of table.routes) {
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Start, inspect, stream, cancel, retry and approve Weft DAG runs. Every route except /healthz, /readyz, /metrics and ' +
        '/openapi.json needs `Authorization: Bearer <token>`, checked before anything else (401). Every error is ' +
        '`{ error: { code, kind, message, retryable, issues?, mayExist?, id? } }`. A path that is served with other methods answers 405 ' +
        'with an Allow header; an unknown path 404. Bodies are JSON only (415 otherwise), 1 MiB at most by default (413).',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } }, schemas: components() },
  };
}
