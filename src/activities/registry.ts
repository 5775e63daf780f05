/**
 * Activities by registry name. A DAG node names an activity (`http.request`);
 * the worker registers each definition under that name; the registered
 * function validates its one argument (the node's evaluated input) with the
 * definition's zod schema before the handler sees it.
 */
import type { z } from 'zod';
import { parseDuration } from '../dag/duration';
import { ACTIVITY_NAME_PATTERN } from '../dag/schema';
import { activityContext, withIdempotencyKey, type ActivityContext } from './context';
import { ActivityDefinitionError, DuplicateActivityError } from './errors';
import { invalidInputFailure, invalidOutputFailure } from './validation';
import { createJobBatchActivity } from './builtins/job-batch';
import { JOB_BATCH_ACTIVITY } from '../workflows/jobs/types';

/** Marks definitions made by `defineActivity`, even across two copies of this module. */
export const DEFINITION_BRAND: unique symbol = Symbol.for('weft.activityDefinition');

export interface ActivitySpec<Schema extends z.ZodType, Out> {
  /** Registry name, e.g. `billing.charge_card`: dot-separated words of letters, digits, `_` and `-`. */
  name: string;
  /** One line for `weft` listings and docs. */
  description?: string;
  /** Validates the node's input; the handler receives the parsed value (defaults applied). */
  input: Schema;
  /** When given, the handler's result is checked too, so a bad result fails the node here rather than downstream. */
  output?: z.ZodType<Out>;
  /**
   * Declares that the activity heartbeats (reports progress, or runs long
   * enough that a dead worker must be noticed) and how long a silence means
   * it is dead, as a duration (`30s`) or milliseconds. Nodes that call it get
   * this heartbeat timeout unless they set one, and `mode: auto` runs them
   * as remote activities, since a local activity cannot heartbeat. Takes
   * effect where DAGs are compiled with the registry known
   * (`registry.heartbeatTimeouts()`).
   * @defaultValue none: the activity does not heartbeat
   */
  heartbeatTimeout?: string | number;
  handler: (input: z.output<Schema>, ctx: ActivityContext) => Promise<Out> | Out;
}

export interface ActivityDefinition<In = unknown, Out = unknown> {
  readonly [DEFINITION_BRAND]: true;
  readonly name: string;
  readonly description?: string;
  readonly input: z.ZodType<In>;
  readonly output?: z.ZodType<Out>;
  /** From `heartbeatTimeout`: the activity heartbeats, with this timeout. */
  readonly heartbeatTimeoutMs?: number;
  readonly handler: (input: In, ctx: ActivityContext) => Promise<Out> | Out;
  /** What the worker registers: validates `input`, builds `ctx`, runs the handler. `meta` comes from a job's shard (src/workflows/jobs). */
  readonly run: (input: unknown, meta?: unknown) => Promise<Out>;
}

/** Any definition, whatever its input and output types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActivityDefinition = ActivityDefinition<any, any>;

export type WorkerActivities = Record<string, (input: unknown) => Promise<unknown>>;

export function isActivityDefinition(value: unknown): value is AnyActivityDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION_BRAND] === true;
}

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && typeof (value as { safeParseAsync?: unknown }).safeParseAsync === 'function';
}

/**
 * Defines an activity. The input type comes from the zod schema.
 *
 * ```ts
 * export const charge = defineActivity({
 *   name: 'billing.charge',
 *   input: z.object({ customerId: z.string(), cents: z.number().int().positive() }),
 *   handler: async ({ customerId, cents }, ctx) => stripe.charge(customerId, cents, { idempotencyKey: ctx.idempotencyKey }),
 * });
 * ```
 */
/** The job key a shard passes as the second argument (see JobCallMeta in src/workflows/jobs/shard.ts). */
function callerKeyOf(meta: unknown): string | undefined {
  const key = (meta as { weftIdempotencyKey?: unknown } | null | undefined)?.weftIdempotencyKey;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

export function defineActivity<Schema extends z.ZodType, Out>(spec: ActivitySpec<Schema, Out>): ActivityDefinition<z.output<Schema>, Out> {
  // Modules may be plain JavaScript, so check what the types would have.
  const name: unknown = (spec as { name?: unknown }).name;
  if (typeof name !== 'string' || !ACTIVITY_NAME_PATTERN.test(name)) {
    throw new ActivityDefinitionError(name, 'name', `must be dot-separated words of letters, digits, "_" and "-" (e.g. "billing.charge_card"), got ${JSON.stringify(name)}`);
  }
  if (!isZodSchema(spec.input)) throw new ActivityDefinitionError(name, 'input', 'must be a zod schema (use z.unknown() to accept anything)');
  if (spec.output !== undefined && !isZodSchema(spec.output)) throw new ActivityDefinitionError(name, 'output', 'must be a zod schema when given');
  if (typeof spec.handler !== 'function') throw new ActivityDefinitionError(name, 'handler', 'must be a function (input, ctx) => result');
  const heartbeatTimeoutMs = spec.heartbeatTimeout === undefined ? undefined : parseDuration(spec.heartbeatTimeout);
  if (spec.heartbeatTimeout !== undefined && (heartbeatTimeoutMs === undefined || heartbeatTimeoutMs <= 0)) {
    throw new ActivityDefinitionError(name, 'heartbeatTimeout', `must be a duration above 0 such as "30s" (or milliseconds), got ${JSON.stringify(spec.heartbeatTimeout)}`);
  }

  const { input: inputSchema, output: outputSchema, handler } = spec;
  const run = async (input: unknown, meta?: unknown): Promise<Out> => withIdempotencyKey(callerKeyOf(meta), () => runHandler(input));
  const runHandler = async (input: unknown): Promise<Out> => {
    const parsed = await inputSchema.safeParseAsync(input, { reportInput: true });
    if (!parsed.success) throw invalidInputFailure(name, parsed.error);
    const result = await handler(parsed.data, activityContext());
    if (!outputSchema) return result;
    const checked = await outputSchema.safeParseAsync(result, { reportInput: true });
    if (!checked.success) throw invalidOutputFailure(name, checked.error);
    return checked.data;
  };
  // Stack traces and SDK logs then show the registry name.
  Object.defineProperty(run, 'name', { value: name });

  return Object.freeze({
    [DEFINITION_BRAND]: true as const,
    name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    input: inputSchema as z.ZodType<z.output<Schema>>,
    ...(outputSchema ? { output: outputSchema } : {}),
    ...(heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs } : {}),
    handler,
    run,
  });
}

/** The activities one worker serves, by name. */
export class ActivityRegistry {
  private readonly byName = new Map<string, { definition: AnyActivityDefinition; source: string }>();

  constructor(definitions: Iterable<AnyActivityDefinition> = [], source = 'code') {
    this.add(definitions, source);
  }

  /**
   * Registers definitions. `source` (a module path, `built-in`) appears in the
   * error when a name is registered twice.
   */
  add(definitions: AnyActivityDefinition | Iterable<AnyActivityDefinition>, source = 'code'): this {
    const list = isActivityDefinition(definitions) ? [definitions] : [...definitions];
    for (const definition of list) {
      if (!isActivityDefinition(definition)) {
        throw new ActivityDefinitionError(undefined, 'definition', `from ${source} was not created with defineActivity()`);
      }
      const existing = this.byName.get(definition.name);
      if (existing) {
        if (existing.definition === definition) continue;
        throw new DuplicateActivityError(definition.name, existing.source, source);
      }
      this.byName.set(definition.name, { definition, source });
    }
    return this;
  }

  get(name: string): AnyActivityDefinition | undefined {
    return this.byName.get(name)?.definition;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Where a definition came from: `built-in`, a module path, or `code`. */
  sourceOf(name: string): string | undefined {
    return this.byName.get(name)?.source;
  }

  /** Registered names, sorted; pass them to DAG validation to catch unknown activities. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  definitions(): AnyActivityDefinition[] {
    return this.names().map((name) => this.byName.get(name)!.definition);
  }

  /**
   * Heartbeat timeouts of the activities that declare one, by name: pass them
   * to DAG compilation so that their nodes get the timeout and `auto` runs
   * them remote.
   */
  heartbeatTimeouts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, { definition }] of this.byName) if (definition.heartbeatTimeoutMs !== undefined) out[name] = definition.heartbeatTimeoutMs;
    return out;
  }

  get size(): number {
    return this.byName.size;
  }

  /** For `Worker.create({ activities })`: every definition, and the job queue's batch lane, which runs them by name. */
  toWorkerActivities(): WorkerActivities {
    const out: WorkerActivities = {};
    for (const [name, { definition }] of this.byName) out[name] = definition.run;
    out[JOB_BATCH_ACTIVITY] = createJobBatchActivity((name) => this.get(name)) as WorkerActivities[string];
    return out;
  }
}
