/** Errors of starting and handling runs. Each names the run (or the option) and says what to do. */
import { WeftError } from '../errors/weft-error';
import { ERROR_KINDS, type ErrorKind } from '../errors/kinds';

export class RunNotFoundError extends WeftError {
  override readonly name = 'RunNotFoundError';
  readonly kind = ERROR_KINDS.NOT_FOUND;
  constructor(readonly id: string) {
    super(`no run with id "${id}"`);
  }
}

/** The run is in a state that does not allow this (cancel a closed run, retry a running one). */
export class RunStateError extends WeftError {
  override readonly name = 'RunStateError';
  readonly kind = ERROR_KINDS.CONFLICT;
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/** A start option (delay, at, priority, runId) is out of range; nothing was sent to Temporal. */
export class RunOptionError extends WeftError {
  override readonly name = 'RunOptionError';
  readonly kind = ERROR_KINDS.INVALID;
  constructor(
    /** The option, as the caller named it: `delay`, `at`, `priority`, `runId`. */
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${option}: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

/**
 * Temporal did not confirm a start in time (or could not be reached while it
 * was being made). The run may or may not exist. Starting again with the same
 * id is safe: it either starts the run or answers with the one that exists.
 */
export class RunStartUncertainError extends WeftError {
  override readonly name = 'RunStartUncertainError';
  /** The run may exist; always true, stated so callers need not infer it. */
  readonly mayExist = true;
  constructor(
    /** The run id (the idempotency key) to start again with. */
    readonly id: string,
    readonly kind: Extract<ErrorKind, 'unavailable' | 'timed_out'>,
    override readonly cause: unknown,
  ) {
    super(
      `the start of run "${id}" was not confirmed (${kind === ERROR_KINDS.TIMED_OUT ? 'Temporal did not answer in time' : 'Temporal is unavailable'}: ` +
        `${cause instanceof Error ? cause.message : String(cause)}); the run may exist. Start again with the same id (Idempotency-Key): it is safe, ` +
        'and answers with the run if it was started',
    );
  }
}
