/**
 * The HTTP API's contract: a zod schema for every body, query, path
 * parameter and response. Requests are parsed with these once, at the edge;
 * /openapi.json is generated from the same schemas. Response schemas mirror
 * the client library's types, and the compile-time checks at the bottom keep
 * the two in step.
 */
import { z } from 'zod';
import { RUN_STATUS_FILTER_NAMES, parseRunStatusFilter, type ListRunsOptions, type RunSummary, type RunView, type StartedRun } from '../client/run-types';
import { DAG_NAME_PATTERN, NODE_ID_PATTERN, parseDuration, durationError } from '../dag';
import type { DagIssue } from '../dag/validate';
import { ERROR_KINDS, type ErrorKind } from '../errors/kinds';
import type { ApprovalResult, NodeStatus, RunStatus } from '../workflows/messages';

// ---- shared pieces -------------------------------------------------------------

const dagName = z.string().regex(DAG_NAME_PATTERN, 'expected a DAG name: lowercase letters, digits, ".", "_" and "-"');
/** A run id is the workflow id; Temporal's limit is 1,000 bytes by default, so stay well under it. */
export const RUN_ID_MAX_LENGTH = 200;
/**
 * The longest path segment that can hold such an id: percent-encoding turns
 * one UTF-16 unit into at most 9 characters (%XX%XX%XX). The router refuses
 * longer segments (414) before any parsing.
 */
export const MAX_ENCODED_ID_LENGTH = RUN_ID_MAX_LENGTH * 9;
export const runIdSchema = z
  .string()
  .min(1, 'expected a run id')
  .max(RUN_ID_MAX_LENGTH, `a run id is at most ${RUN_ID_MAX_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'a run id cannot hold control characters');
const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time with Z or an offset, such as 2026-12-01T09:00:00Z' });
const isoDateOrTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'expected an ISO 8601 date or time, such as 2026-01-31 or 2026-01-31T09:00:00Z' })
  .transform((s) => new Date(s));

export const NODE_STATES = ['pending', 'waiting', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export const RUN_STATES = ['running', 'compensating', 'succeeded', 'failed', 'cancelled'] as const;
export const EXECUTION_STATUSES = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'PAUSED', 'UNKNOWN'] as const;

/** `?status=`: the filter names the CLI's --status takes too (src/client/run-types.ts), matched without regard to case, `_` or `-`. */
const statusFilter = z
  .string()
  .transform((value, ctx) => {
    const found = parseRunStatusFilter(value);
    if (found) return found;
    ctx.addIssue({ code: 'custom', message: `expected one of ${RUN_STATUS_FILTER_NAMES.join(', ')}; got ${JSON.stringify(value)}` });
    return z.NEVER;
  })
  .meta({ enum: RUN_STATUS_FILTER_NAMES });

/** Temporal's execution ids are UUIDs; anything else is refused here rather than by Temporal. */
const executionId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected the UUID of one execution of the run, as runId in a run\'s status');

// ---- requests ------------------------------------------------------------------

/** A definition object, not a compiled DAG: the client starts a compiled DAG without validating it again. */
export const inlineDagSchema = z
  .record(z.string(), z.unknown())
  .refine((d) => !('formatVersion' in d), { message: 'expected a DAG definition (name, nodes, …), not a compiled DAG', path: ['formatVersion'] });

export const startRunBodySchema = z
  .object({
    dag: z
      .union([dagName, inlineDagSchema], { error: 'expected the name of a DAG in the DAGs folder, or a DAG definition object' })
      .describe('The name of a DAG in the DAGs folder, or an inline DAG definition (validated before anything starts)'),
    input: z.unknown().optional().describe("The run input; checked against the DAG's `input` JSON Schema"),
    id: runIdSchema.optional().describe('Run id and idempotency key; the Idempotency-Key header wins over it. Default: `<dag>-<uuid>`'),
    delay: z
      .union([z.string(), z.number()])
      .refine((v) => parseDuration(v) !== undefined, { error: (iss) => durationError(iss.input) })
      .optional()
      .describe('Start after this long: a duration such as 10m or 1h30m, or milliseconds'),
    at: isoTime.optional().describe('Start at this time, ISO 8601 with Z or an offset. Give delay or at, not both'),
    priority: z.number().int().min(1).max(5).optional().describe("1 (highest) to 5; Temporal's priority key"),
  })
  .strict()
  .refine((b) => b.delay === undefined || b.at === undefined, { message: 'give either delay or at, not both', path: ['at'] })
  // What the refine checks, in the OpenAPI document's terms.
  .meta({ not: { required: ['delay', 'at'] } });

export const startRunHeadersSchema = z.object({
  /** Sets the run id; it wins over `id` in the body. */
  'idempotency-key': runIdSchema.optional().describe('Run id: the same key returns the same run (existing: true)'),
});

export const runParamsSchema = z.object({ id: runIdSchema });
export const nodeParamsSchema = z.object({
  id: runIdSchema,
  node: z.string().regex(NODE_ID_PATTERN, 'expected a node id: letters, digits, _ and -, starting with a letter or _'),
});
export const dagParamsSchema = z.object({ name: dagName });

const booleanQuery = z.enum(['true', 'false'], { error: 'expected true or false' }).transform((v) => v === 'true');

export const getRunQuerySchema = z
  .object({
    /** A specific execution of the run (after a retry there are several). */
    runId: executionId.optional().describe('One execution of the run (a UUID; a retry starts a new one); default: the latest'),
    /** Include each node's output in the status. */
    outputs: booleanQuery.optional().describe("true to include each node's output in the status"),
  })
  .strict();

export const listRunsQuerySchema = z
  .object({
    dag: dagName.optional().describe('Only runs of this DAG'),
    status: statusFilter.optional().describe(`Only runs in this state: ${RUN_STATUS_FILTER_NAMES.join(', ')} (any case; _ for -; cancelled too)`),
    since: isoDateOrTime.optional().describe('Started at or after: an ISO 8601 date or time'),
    until: isoDateOrTime.optional().describe('Started at or before: an ISO 8601 date or time'),
    /** @defaultValue 50 */
    limit: z.coerce.number().int().min(1).max(1000).optional().describe('Most runs to return, 1 to 1000; default 50'),
  })
  .strict()
  .refine((q) => !q.since || !q.until || q.since <= q.until, { message: 'until is before since', path: ['until'] });

export const retryBodySchema = z
  .object({
    /** Re-run only failed and skipped nodes, reusing the outputs of those that succeeded. @defaultValue false */
    fromFailed: z.boolean().optional(),
  })
  .strict()
  .default({});

export const decisionBodySchema = z
  .object({
    reason: z.string().max(2000).optional(),
    /** Who decided, recorded in the node's output. */
    by: z.string().max(200).optional(),
  })
  .strict()
  .default({});

// ---- responses -----------------------------------------------------------------

export const issueSchema = z.object({
  /** Where the problem is, relative to what was sent: `dag.nodes[2].after[0]`, `input.uploadId`, `status`. */
  path: z.string(),
  message: z.string(),
  code: z.string().optional(),
});

export const errorResponseSchema = z.object({
  error: z.object({
    /** The stable name of the problem, e.g. run_not_found, invalid_dag, temporal_unavailable. */
    code: z.string().describe('Stable name of the problem, e.g. run_not_found, invalid_dag, temporal_unavailable'),
    kind: z.enum(Object.values(ERROR_KINDS) as [ErrorKind, ...ErrorKind[]]).describe("Weft's error kind; the status follows from it"),
    message: z.string(),
    retryable: z.boolean().describe('The same request, unchanged, can succeed later (after Retry-After)'),
    issues: z.array(issueSchema).optional(),
    mayExist: z.boolean().optional().describe('On a refused start: true when Temporal did not confirm it (the run may exist), false when the API refused it before sending it (no run exists). Either way, start again with the same Idempotency-Key; it is safe'),
    id: z.string().optional().describe('The run id of such a start'),
  }),
});

const nodeErrorSchema = z.object({ message: z.string(), type: z.string().optional() });

export const nodeStatusSchema = z.object({
  id: z.string(),
  state: z.enum(NODE_STATES),
  attempts: z.number().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  reason: z.string().optional(),
  error: nodeErrorSchema.optional(),
  progress: z.object({ done: z.number(), total: z.number(), note: z.string().optional() }).optional(),
  items: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), running: z.number() }).optional(),
  reused: z.boolean().optional(),
  ignoredError: z.boolean().optional(),
  output: z.unknown().optional(),
  compensation: z.object({ state: z.enum(['running', 'succeeded', 'failed']), error: nodeErrorSchema.optional() }).optional(),
});

export const runStatusSchema = z.object({
  dag: z.string(),
  hash: z.string(),
  state: z.enum(RUN_STATES),
  startedAt: z.string(),
  generation: z.number(),
  counts: z.record(z.enum(NODE_STATES), z.number()),
  nodes: z.array(nodeStatusSchema),
  error: nodeErrorSchema.extend({ node: z.string().optional() }).optional(),
});

export const runViewSchema = z.object({
  id: z.string(),
  runId: z.string(),
  dag: z.string(),
  execution: z.enum(EXECUTION_STATUSES),
  startedAt: z.string(),
  closedAt: z.string().optional(),
  taskQueue: z.string(),
  status: runStatusSchema.optional(),
  result: z.unknown().optional(),
  failure: z.object({ message: z.string(), type: z.string().optional() }).optional(),
});

export const startedRunSchema = z.object({
  id: z.string(),
  runId: z.string(),
  /** True when a run with this id already existed and was returned instead. */
  existing: z.boolean(),
});

export const runSummarySchema = z.object({
  id: z.string(),
  runId: z.string(),
  dag: z.string().optional(),
  execution: z.enum(EXECUTION_STATUSES),
  startedAt: z.string(),
  closedAt: z.string().optional(),
});

export const runListSchema = z.object({ runs: z.array(runSummarySchema) });

export const cancelResponseSchema = z.object({ id: z.string(), cancelRequested: z.literal(true) });

export const retryResponseSchema = z.object({
  id: z.string(),
  runId: z.string(),
  /** Nodes whose outputs were reused (with fromFailed). */
  reused: z.array(z.string()),
});

export const approvalResultSchema = z.object({ node: z.string(), decision: z.enum(['approve', 'reject']), at: z.string() });

export const dagIssueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const dagSummarySchema = z.object({
  /** Absent when the file has no name (it is then invalid). */
  name: z.string().optional(),
  description: z.string().optional(),
  /** The definition file, relative to the DAGs folder. */
  file: z.string(),
  nodes: z.number(),
  ok: z.boolean(),
  issues: z.array(dagIssueSchema),
});

export const dagListSchema = z.object({ dags: z.array(dagSummarySchema) });

export const dagDetailSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  file: z.string(),
  /** The compiled DAG: plain JSON, defaults applied, nodes in topological order. */
  dag: z.record(z.string(), z.unknown()),
  /** The graph as a Mermaid flowchart. */
  mermaid: z.string(),
});

export const healthSchema = z.object({ status: z.enum(['ok', 'ready']) });

// ---- kept in step with the client's types ------------------------------------------

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _nodeStatus: Same<z.output<typeof nodeStatusSchema>, NodeStatus> = true;
const _runStatus: Same<z.output<typeof runStatusSchema>, RunStatus> = true;
const _runView: Same<z.output<typeof runViewSchema>, RunView> = true;
const _started: Same<z.output<typeof startedRunSchema>, StartedRun> = true;
const _summary: Same<z.output<typeof runSummarySchema>, RunSummary> = true;
const _approval: Same<z.output<typeof approvalResultSchema>, ApprovalResult> = true;
const _dagIssue: Same<Omit<z.output<typeof dagIssueSchema>, 'code'>, Omit<DagIssue, 'code'>> = true;
const _status: Same<z.output<typeof listRunsQuerySchema>['status'], ListRunsOptions['status']> = true;
