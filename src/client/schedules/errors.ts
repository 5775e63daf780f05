/** Errors of Weft schedules. Each names the schedule (or the file) and says what to do. */
import { ERROR_KINDS } from '../../errors/kinds';
import { WeftError } from '../../errors/weft-error';

/**
 * What ScheduleApplyError needs of a plan entry. Declared here rather than
 * imported from ./plan, which imports this file through ./temporal and ./spec:
 * that made an import cycle.
 */
export interface AppliedScheduleEntry {
  readonly action: string;
  readonly id: string;
}

export type ScheduleIssueCode =
  | 'schema'
  | 'unknown_field'
  | 'bad_cron'
  | 'bad_duration'
  | 'bad_time'
  | 'bad_timezone'
  | 'duplicate_id'
  | 'unknown_dag'
  | 'invalid_dag'
  | 'bad_input'
  /** The file is not valid YAML/JSON. */
  | 'syntax'
  /** The file does not exist or cannot be read. */
  | 'unreadable';

export interface ScheduleIssue {
  /** Where the problem is, e.g. `schedules[2].cron[0]`. */
  path: string;
  code: ScheduleIssueCode;
  message: string;
}

/** A schedules file (or one schedule definition) is invalid; `issues` lists every problem. */
export class ScheduleFileError extends WeftError {
  override readonly name = 'ScheduleFileError';
  readonly kind = ERROR_KINDS.INVALID;
  constructor(
    readonly issues: readonly ScheduleIssue[],
    readonly source?: string,
  ) {
    super(`Invalid schedules${source ? ` in ${source}` : ''}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
  }
}

export class ScheduleNotFoundError extends WeftError {
  override readonly name = 'ScheduleNotFoundError';
  readonly kind = ERROR_KINDS.NOT_FOUND;
  constructor(readonly id: string) {
    super(`no schedule with id "${id}"`);
  }
}

/** The schedule exists, but Weft did not create it; Weft leaves it alone. */
export class ScheduleNotManagedError extends WeftError {
  override readonly name = 'ScheduleNotManagedError';
  readonly kind = ERROR_KINDS.CONFLICT;
  constructor(readonly id: string) {
    super(`schedule "${id}" exists but is not managed by Weft (its memo has no weftManaged: true); manage it with the Temporal CLI, or pick another id`);
  }
}

export class ScheduleExistsError extends WeftError {
  override readonly name = 'ScheduleExistsError';
  readonly kind = ERROR_KINDS.CONFLICT;
  constructor(readonly id: string) {
    super(`schedule "${id}" already exists; change it with \`weft schedules apply\`, or delete it first`);
  }
}

/** `apply` would take over schedules Weft does not manage; nothing was changed. */
export class ScheduleConflictError extends WeftError {
  override readonly name = 'ScheduleConflictError';
  readonly kind = ERROR_KINDS.CONFLICT;
  constructor(
    readonly ids: readonly string[],
    readonly source?: string,
  ) {
    super(
      `${source ?? 'the schedules'} names ${ids.length === 1 ? 'a schedule' : 'schedules'} that Weft does not manage: ${ids.join(', ')}. ` +
        'Nothing was changed; rename them in the file, or delete the existing schedules with the Temporal CLI',
    );
  }
}

/**
 * Apply stopped part way; `applied` lists what was done before `failed`. It
 * has no kind of its own: what went wrong is its cause's kind.
 */
export class ScheduleApplyError extends Error {
  override readonly name = 'ScheduleApplyError';
  constructor(
    readonly applied: readonly AppliedScheduleEntry[],
    readonly failed: AppliedScheduleEntry,
    override readonly cause: unknown,
  ) {
    super(`could not ${failed.action} schedule "${failed.id}": ${cause instanceof Error ? cause.message : String(cause)}${applied.length ? ` (done before it: ${applied.map((e) => `${e.action} ${e.id}`).join(', ')})` : ''}`);
  }
}
