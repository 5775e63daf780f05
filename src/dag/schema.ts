/**
 * The zod schema of a DAG definition (YAML, JSON, or what the builder emits).
 * Objects are strict, so an unknown or misspelt field is an error with its path.
 * Cross-field rules (ids, dependencies, cycles, expressions) live in validate.ts.
 */
import { z } from 'zod';
import { durationError, parseDuration } from './duration';
import { FIXED_LIMITS } from './limits';

export const TRIGGER_RULES = ['all-success', 'all-done', 'one-success', 'one-failed', 'none-failed'] as const;
export const ON_FAILURE = ['fail-fast', 'continue', 'compensate'] as const;
/**
 * What a node does once its retries are spent: fail (apply the run's onFailure),
 * ignore (succeed with a null output, error recorded), notify (call a webhook,
 * then fail or continue), or ask (wait for a person to retry, skip or abort).
 */
export const ON_ERROR = ['fail', 'ignore', 'notify', 'ask'] as const;
export type OnError = (typeof ON_ERROR)[number];
export const NODE_TYPES = ['activity', 'approval'] as const;
/**
 * Where a node's activity runs: `local` (a local activity in the workflow's
 * worker), `remote` (an activity task), or `auto` (decided at compile time by
 * the rule in mode.ts). @defaultValue auto
 */
export const CALL_MODES = ['local', 'remote', 'auto'] as const;
export type RequestedMode = (typeof CALL_MODES)[number];

export type TriggerRule = (typeof TRIGGER_RULES)[number];
export type OnFailure = (typeof ON_FAILURE)[number];

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
export const DAG_NAME_PATTERN = /^[a-z0-9._-]+$/;
/** Registry names: `http.request`, `image.resize`, `billing.charge_card`. */
export const ACTIVITY_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

export const durationSchema = z.custom<string | number>(
  (v) => (typeof v === 'number' || typeof v === 'string') && parseDuration(v) !== undefined,
  { error: (iss) => durationError(iss.input) },
);

/** Timeouts and retry intervals: Temporal reads 0 as "unset", so a 0 that validated would never take effect. */
export const positiveDurationSchema = durationSchema.refine((v) => parseDuration(v)! > 0, {
  error: (iss) => `expected a duration greater than 0 (at least 1ms), got ${JSON.stringify(iss.input)}`,
});

const int = (label: string, min: number, max: number) =>
  z
    .number()
    .int()
    .min(min, `${label} is at least ${min}`)
    .max(max, `${label} is at most ${max}`);

export const retrySchema = z
  .object({
    /** 0 means unlimited. */
    maximumAttempts: int('maximumAttempts (0 means unlimited)', 0, FIXED_LIMITS.maxRetryAttempts),
    initialInterval: positiveDurationSchema,
    backoffCoefficient: z.number().min(1, 'backoffCoefficient is at least 1').max(FIXED_LIMITS.maxBackoffCoefficient, `backoffCoefficient is at most ${FIXED_LIMITS.maxBackoffCoefficient}`),
    maximumInterval: positiveDurationSchema,
    nonRetryableErrorTypes: z.array(z.string().min(1)),
  })
  .partial()
  .strict();

export const timeoutSchema = z.union([
  positiveDurationSchema,
  z
    .object({
      startToClose: positiveDurationSchema,
      scheduleToClose: positiveDurationSchema,
      scheduleToStart: positiveDurationSchema,
      heartbeat: positiveDurationSchema,
    })
    .partial()
    .strict(),
]);

const jsonValue: z.ZodType<unknown> = z.unknown();
const expressionString = z.string().min(1);
const activityName = z
  .string()
  .max(FIXED_LIMITS.maxActivityNameLength, { error: `an activity name is at most ${FIXED_LIMITS.maxActivityNameLength} characters`, abort: true })
  .regex(ACTIVITY_NAME_PATTERN, 'expected a registry name such as http.request');
const taskQueue = z.string().min(1).max(FIXED_LIMITS.maxTaskQueueLength, `a task queue name is at most ${FIXED_LIMITS.maxTaskQueueLength} characters`);
const priority = z.number().int().min(1).max(5);
const mode = z.enum(CALL_MODES, { error: (iss) => `expected local, remote or auto, got ${JSON.stringify(iss.input)}` });

export const compensateSchema = z
  .object({
    activity: activityName,
    input: jsonValue.optional(),
    retry: retrySchema.optional(),
    timeout: timeoutSchema.optional(),
    taskQueue: taskQueue.optional(),
    mode: mode.optional(),
  })
  .strict();

export const mapSchema = z
  .object({
    /** An expression that yields a list, or a literal list. */
    items: z.union([expressionString, z.array(jsonValue)]),
    /** Most items (or batches) in flight at once. */
    concurrency: int('map.concurrency', 1, FIXED_LIMITS.maxConcurrency).optional(),
    /** Items per activity call; with more than 1, `item` is the batch. */
    batchSize: int('map.batchSize', 1, FIXED_LIMITS.maxBatchSize).optional(),
  })
  .strict();

export const nodeSchema = z
  .object({
    id: z
      .string()
      .max(FIXED_LIMITS.maxNodeIdLength, { error: `a node id is at most ${FIXED_LIMITS.maxNodeIdLength} characters (it is part of activity ids and idempotency keys)`, abort: true })
      .regex(NODE_ID_PATTERN, 'expected an id of letters, digits, _ and - that starts with a letter or _'),
    type: z.enum(NODE_TYPES).optional(),
    description: z.string().optional(),
    activity: activityName.optional(),
    input: jsonValue.optional(),
    after: z.array(z.string()).optional(),
    retry: retrySchema.optional(),
    timeout: timeoutSchema.optional(),
    taskQueue: taskQueue.optional(),
    priority: priority.optional(),
    mode: mode.optional(),
    /** Wait this long once dependencies are done: a duration, or an expression that yields one. */
    delay: z.union([z.number(), z.string().min(1)]).optional(),
    /** Wait until this time: ISO 8601, or an expression that yields one. */
    at: expressionString.optional(),
    when: expressionString.optional(),
    trigger: z.enum(TRIGGER_RULES).optional(),
    map: mapSchema.optional(),
    compensate: compensateSchema.optional(),
    onError: z.enum(ON_ERROR).optional(),
    /** For onError: notify — where to send the failure, and what to do after. */
    notify: z
      .object({
        url: z.string().min(1),
        headers: z.record(z.string(), z.string()).optional(),
        /** @defaultValue fail */
        then: z.enum(['fail', 'continue']).optional(),
      })
      .strict()
      .optional(),
    /** For onError: ask — how long to wait for a decision before failing. @defaultValue 7d */
    askTimeout: positiveDurationSchema.optional(),
  })
  .strict();

export const defaultsSchema = z
  .object({
    retry: retrySchema.optional(),
    timeout: timeoutSchema.optional(),
    taskQueue: taskQueue.optional(),
    priority: priority.optional(),
    mode: mode.optional(),
  })
  .strict();

export const dagSchema = z
  .object({
    name: z
      .string()
      .max(FIXED_LIMITS.maxNameLength, {
        error: (iss) => `a DAG name is at most ${FIXED_LIMITS.maxNameLength} characters (it starts every run's workflow id and is a search attribute), got ${String((iss.input as string).length)}`,
        abort: true,
      })
      .regex(DAG_NAME_PATTERN, 'expected lowercase letters, digits, ".", "_" and "-"'),
    description: z.string().optional(),
    /** JSON Schema for the run input, checked when a run starts. */
    input: z.record(z.string(), jsonValue).optional(),
    defaults: defaultsSchema.optional(),
    /** Most nodes in flight at once in one run. */
    concurrency: int('concurrency', 1, FIXED_LIMITS.maxConcurrency).optional(),
    onFailure: z.enum(ON_FAILURE).optional(),
    /** Run result; default: the outputs of the sink nodes, by id. */
    output: jsonValue.optional(),
    nodes: z.array(nodeSchema).min(1, 'a DAG needs at least one node'),
  })
  .strict();

export type DagDefinition = z.infer<typeof dagSchema>;
export type NodeDefinition = z.infer<typeof nodeSchema>;
export type RetryDefinition = z.infer<typeof retrySchema>;
export type TimeoutDefinition = z.infer<typeof timeoutSchema>;
export type DurationDefinition = z.infer<typeof durationSchema>;
