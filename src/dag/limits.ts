/**
 * Every bound Weft puts on a definition and on expression evaluation, in one
 * place. docs/limits.md lists them for users; keep the two in step.
 *
 * The size bounds (nodes, bytes, depth, string lengths) are configurable
 * through ValidateOptions.limits, so an operator can raise or lower them. The
 * rest follow from what Temporal and JavaScript accept and are fixed.
 */

/** Size bounds on a definition, checked before anything else looks at it. */
export interface DagLimits {
  /**
   * Most nodes in one DAG.
   * @defaultValue 100000
   */
  maxNodes: number;
  /**
   * Most bytes of the definition, counted as its JSON text (UTF-16 code units,
   * which is within a few percent of UTF-8 for ordinary text).
   * @defaultValue 33554432 (32 MiB)
   */
  maxDefinitionBytes: number;
  /**
   * Deepest nesting of objects and arrays anywhere in the definition, counted
   * from the definition itself (1). Inputs, outputs and the input JSON Schema
   * count from where they sit: a node's `input` object is at depth 4.
   * Validation walks values without recursion, but the checks after it, the
   * hash and the workflow's payload converter do recurse, so this bound keeps
   * them far from the stack's limit.
   * @defaultValue 64
   */
  maxDepth: number;
  /**
   * Longest string anywhere in the definition (descriptions, literal inputs).
   * @defaultValue 1048576 (1 MiB)
   */
  maxStringLength: number;
  /**
   * Longest template or expression string (`when`, `{{ … }}` inside inputs, `map.items`, `delay`, `at`, `output`).
   * @defaultValue 16384
   */
  maxExpressionLength: number;
  /**
   * Most issues one validation reports; the rest are counted in a last issue,
   * so a broken 100,000-node file gives a readable answer.
   * @defaultValue 1000
   */
  maxIssues: number;
}

export const DEFAULT_LIMITS: Readonly<DagLimits> = Object.freeze({
  maxNodes: 100_000,
  maxDefinitionBytes: 32 * 1024 * 1024,
  maxDepth: 64,
  maxStringLength: 1024 * 1024,
  maxExpressionLength: 16_384,
  maxIssues: 1000,
});

/**
 * Fixed bounds. Names and ids become parts of Temporal ids: a run's workflow
 * id is `<dag name>-<key>` (key: a UUID, or a caller's id of at most 200
 * characters), and a node's activity id and idempotency key are
 * `<workflowId>/<nodeId>[/<index>]`. Temporal's default limit on ids is 1000
 * bytes and on a Keyword search attribute (the DAG name is one) 2 KB, so
 * 200 + 1 + 200 + 1 + 128 + 1 + 10 stays well inside both.
 */
export const FIXED_LIMITS = Object.freeze({
  /** DAG names: the `WeftDag` search attribute and the prefix of workflow ids. */
  maxNameLength: 200,
  /** Node ids: part of activity ids and idempotency keys. */
  maxNodeIdLength: 128,
  /** Activity (registry) names and task queue names. */
  maxActivityNameLength: 200,
  maxTaskQueueLength: 200,
  /**
   * Longest duration anywhere (timeouts, delays, retry intervals): 100 years.
   * JavaScript dates end in 275760, and Temporal stores durations as
   * protobuf Durations; 100 years keeps every `now + duration` a valid date.
   */
  maxDurationMs: 100 * 365 * 86_400_000,
  /** `at` times must fall in [1970-01-01, 2200-01-01). Pure, so no clock is read. */
  minTimeMs: 0,
  maxTimeMs: Date.UTC(2200, 0, 1),
  /** DAG `concurrency`, `map.concurrency` and `map.batchSize`. */
  maxConcurrency: 10_000,
  maxBatchSize: 10_000,
  /** retry.maximumAttempts (0 means unlimited). */
  maxRetryAttempts: 10_000,
  /** retry.backoffCoefficient must be in [1, 100]. */
  maxBackoffCoefficient: 100,
});

/**
 * Bounds on one expression evaluation, in the workflow or anywhere else. An
 * evaluation that passes one fails with ExpressionLimitError, which fails its
 * node (WeftExpressionFailed) and never the worker.
 */
export const EXPRESSION_LIMITS = Object.freeze({
  /**
   * Deepest nesting of JSONata evaluation frames. Unbounded recursion such as
   * `function($x){$x($x)}(function($x){$x($x)})` reaches it in milliseconds,
   * long before the JavaScript stack.
   */
  maxDepth: 200,
  /**
   * Most evaluation steps (JSONata evaluate calls) in one evaluation: about
   * `$map` over 3,300 items with a small function. What it protects: the SDK
   * runs each activation under a 5 s isolate execution timeout, and when that
   * timeout fires while the workflow thread drains promise callbacks, Node
   * aborts the whole worker process ("async hook stack has become corrupted",
   * nodejs/node#38503). With the SDK's per-promise stack capture off (Weft's
   * default, `worker.workflowStackTraces`), a step costs about 38 µs at load
   * 16 on the 2-core reference machine: 10,000 steps take about 0.4 s there,
   * and about 1.1 s at load 46, the worst CI has seen, which leaves room for
   * several such evaluations in one activation. See docs/limits.md.
   */
  maxSteps: 10_000,
  /**
   * The same bound where the SDK's per-promise stack capture is on, where a
   * step costs 20–40× more (and the first error pays about 1.5 s to parse
   * the bundle's source map). Past it the evaluation does not fail its node,
   * since a node's outcome must not depend on a worker setting: the workflow
   * task fails, with a message that says to turn stack traces off, and is
   * retried, so the run waits for such a worker and the history is the one
   * any worker would write.
   */
  maxStepsWithStackTraces: 1_000,
  /**
   * Deepest nesting of brackets in an expression's text. JSONata's parser
   * recurses per level, so without a bound whether a deep expression parses
   * would depend on how much stack the caller happens to have left: the same
   * definition could validate, then fail when the worker parses it.
   */
  maxNesting: 100,
  /** Longest string an expression may yield. */
  maxStringLength: 16 * 1024 * 1024,
  /** Longest list an expression may yield. */
  maxArrayLength: 1_000_000,
  /** Deepest value a `{{ expr }}` may yield; deeper ones would break the payload converter. */
  maxResultDepth: 256,
});

/** The limits in force: the defaults, overridden by what the caller gives. */
export function resolveLimits(overrides: Partial<DagLimits> = {}): DagLimits {
  const out: DagLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof DagLimits>) {
    const v = overrides[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Expected limits.${key} to be a positive integer, got ${String(v)}`);
    out[key] = v;
  }
  return out;
}
