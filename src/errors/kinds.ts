/**
 * The kinds of failure Weft distinguishes. Every error Weft raises, and every
 * error Temporal or the network raises at Weft, is one of these. The API's
 * statuses and the CLI's exit codes are derived from the kind, so the two can
 * never disagree about what went wrong. The strings are stable: clients and
 * scripts may match on them.
 */
export const ERROR_KINDS = {
  /** The run, DAG, schedule or queue asked for does not exist. */
  NOT_FOUND: 'not_found',
  /** The request itself is wrong: bad input, an invalid DAG, a value out of range. Fix it before sending it again. */
  INVALID: 'invalid',
  /** The request clashes with the current state: the run is not running, the id is taken, the schedule is not Weft's. */
  CONFLICT: 'conflict',
  /** The other side understood and declined: a decision the run would not take, a permission Temporal denied. */
  REFUSED: 'refused',
  /** Temporal (or a server Weft needs) could not be reached or was overloaded. Safe to retry later. */
  UNAVAILABLE: 'unavailable',
  /** Temporal did not answer in time; what was asked may or may not have happened. Safe to retry with the same id. */
  TIMED_OUT: 'timed_out',
  /** Weft's own configuration is wrong or incomplete (a setting, a folder, a namespace). */
  MISCONFIGURED: 'misconfigured',
  /** Anything else: a bug. The details go to the logs, not to the caller. */
  INTERNAL: 'internal',
} as const;

export type ErrorKind = (typeof ERROR_KINDS)[keyof typeof ERROR_KINDS];

/** Kinds where doing the same thing again later can succeed without any change by the caller. */
export function isRetryableKind(kind: ErrorKind): boolean {
  return kind === ERROR_KINDS.UNAVAILABLE || kind === ERROR_KINDS.TIMED_OUT;
}
