/**
 * Errors of the activity layer. Two kinds:
 * - Failures an activity throws to Temporal are `ApplicationFailure`s, matched
 *   by `type` (instanceof does not survive the trip to the workflow); their
 *   types are the constants below, so DAGs can list them in
 *   `retry.nonRetryableErrorTypes`.
 * - Errors of setup (defining, registering, loading activities; configuring a
 *   store) are classes with readonly context fields, thrown in the worker
 *   process before anything runs.
 */

/** `ApplicationFailure.type` of the failures raised by the registry and `once()`. */
export const ACTIVITY_FAILURE_TYPES = {
  /** The input did not match the activity's schema. Non-retryable. */
  invalidInput: 'WeftInvalidActivityInput',
  /** The handler returned a value that did not match its output schema. Non-retryable. */
  invalidOutput: 'WeftInvalidActivityOutput',
  /** Another attempt holds a live claim on the same idempotency key. Retryable. */
  idempotencyBusy: 'WeftIdempotencyBusy',
  /** once()'s function returned a value that JSON cannot store (a BigInt, a cycle). Non-retryable. */
  idempotencyResultNotJson: 'WeftIdempotencyResultNotJson',
} as const;

/** A definition passed to `defineActivity` is malformed. */
export class ActivityDefinitionError extends Error {
  override readonly name = 'ActivityDefinitionError';
  constructor(
    /** The activity name as given (may itself be the problem). */
    readonly activityName: unknown,
    /** The field of the definition that is wrong. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Invalid activity definition${typeof activityName === 'string' ? ` "${activityName}"` : ''}: ${field} ${reason}`);
  }
}

/** Two definitions share a registry name. */
export class DuplicateActivityError extends Error {
  override readonly name = 'DuplicateActivityError';
  constructor(
    readonly activityName: string,
    /** Where the first definition came from: `built-in`, a module path, or `code`. */
    readonly firstSource: string,
    readonly secondSource: string,
  ) {
    super(
      `Activity "${activityName}" is registered twice: by ${firstSource} and by ${secondSource}. ` +
        'Activity names must be unique; rename one of them.',
    );
  }
}

/** A user activity module could not be loaded, or exports no usable activities. */
export class ActivityModuleError extends Error {
  override readonly name = 'ActivityModuleError';
  constructor(
    /** The path as configured (`activityModules` / `WEFT_ACTIVITY_MODULES`). */
    readonly modulePath: string,
    /** The file it resolved to, when it resolved. */
    readonly resolvedPath: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot load activity module "${modulePath}"${resolvedPath && resolvedPath !== modulePath ? ` (${resolvedPath})` : ''}: ${reason}`, options);
  }
}

/** A helper that needs the activity context was called outside an activity. */
export class NotInActivityError extends Error {
  override readonly name = 'NotInActivityError';
  constructor(readonly helper: string) {
    super(`${helper}() can only be called while an activity runs (inside its handler, on the worker)`);
  }
}

/** `once()` was called without a store and the worker has not set a default one. */
export class IdempotencyStoreNotSetError extends Error {
  override readonly name = 'IdempotencyStoreNotSetError';
  constructor(readonly key: string) {
    super(
      `once("${key}") has no idempotency store: pass { store } or call setDefaultIdempotencyStore() at worker startup ` +
        '(the Weft worker does this; in tests, open a SqliteIdempotencyStore on a temp file)',
    );
  }
}

/** An idempotency store was configured with a bad option. */
export class IdempotencyStoreConfigError extends Error {
  override readonly name = 'IdempotencyStoreConfigError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`Invalid idempotency store option ${option}: ${reason}, got ${JSON.stringify(value)}`);
  }
}
