/**
 * Every error the API answers with has one shape:
 * `{ error: { code, kind, message, retryable, issues?, mayExist?, id? } }`.
 * `kind` is Weft's error taxonomy (src/errors); the status follows from it.
 * `code` is the finer, stable name of the problem. This file only maps: what
 * kind of failure an error is, is decided once, by classifyError.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DagNotFoundError } from '../client/catalog';
import { DefinitionsFolderError } from '../client/definitions';
import { RunInputError } from '../client/input-schema';
import { QueueNotFoundError } from '../client/queues';
import { RunNotFoundError, RunOptionError, RunStartUncertainError, RunStateError } from '../client/run-errors';
import { JobSubmitUncertainError } from '../client/jobs';
import { ScheduleFileError, ScheduleNotFoundError } from '../client/schedules/errors';
import { DagValidationError } from '../dag/validate';
import { classifyError, ERROR_KINDS, isRetryableKind, type ErrorClass, type ErrorKind } from '../errors';

/** Error codes; clients may rely on them. */
export const ERROR_CODES = {
  UNAUTHORIZED: 'unauthorized',
  INVALID_REQUEST: 'invalid_request',
  INVALID_JSON: 'invalid_json',
  INVALID_DAG: 'invalid_dag',
  INVALID_INPUT: 'invalid_input',
  NOT_FOUND: 'not_found',
  METHOD_NOT_ALLOWED: 'method_not_allowed',
  RUN_NOT_FOUND: 'run_not_found',
  QUEUE_NOT_FOUND: 'queue_not_found',
  SCHEDULE_NOT_FOUND: 'schedule_not_found',
  SCHEDULE_CONFLICT: 'schedule_conflict',
  INVALID_SCHEDULE: 'invalid_schedule',
  DAG_NOT_FOUND: 'dag_not_found',
  DAG_INVALID: 'dag_invalid',
  RUN_STATE: 'run_state_conflict',
  CONFLICT: 'conflict',
  DECISION_REFUSED: 'decision_refused',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  URI_TOO_LONG: 'uri_too_long',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  TEMPORAL_UNAVAILABLE: 'temporal_unavailable',
  OVERLOADED: 'overloaded',
  TEMPORAL_REFUSED: 'temporal_refused',
  NOT_READY: 'not_ready',
  SHUTTING_DOWN: 'shutting_down',
  DAGS_FOLDER_UNAVAILABLE: 'dags_folder_unavailable',
  MISCONFIGURED: 'misconfigured',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Seconds a client should wait before retrying a 503; sent as Retry-After. */
export const RETRY_AFTER_SECONDS = 2;

export interface ApiIssue {
  path: string;
  message: string;
  code?: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode;
    kind: ErrorKind;
    message: string;
    /** The same request can succeed later, unchanged. */
    retryable: boolean;
    issues?: ApiIssue[];
    /**
     * On a refused start: whether the run may exist. `true`: Temporal did not
     * confirm the start; `false`: the API refused it before sending it. Either
     * way, retry with the same Idempotency-Key.
     */
    mayExist?: boolean;
    /** The run id of such a start. */
    id?: string;
  };
}

/** The kind an HTTP status stands for, when an ApiError is made without one. */
function kindOfStatus(status: number): ErrorKind {
  if (status === 404) return ERROR_KINDS.NOT_FOUND;
  if (status === 409) return ERROR_KINDS.CONFLICT;
  if (status === 401 || status === 403) return ERROR_KINDS.REFUSED;
  if (status === 503) return ERROR_KINDS.UNAVAILABLE;
  if (status === 504) return ERROR_KINDS.TIMED_OUT;
  return status >= 500 ? ERROR_KINDS.INTERNAL : ERROR_KINDS.INVALID;
}

export interface ApiErrorExtras {
  kind?: ErrorKind;
  mayExist?: boolean;
  id?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: readonly ApiIssue[],
    readonly extras: ApiErrorExtras = {},
  ) {
    super(message);
    this.kind = extras.kind ?? kindOfStatus(status);
    this.retryable = isRetryableKind(this.kind) || status === 503;
  }

  /** Headers that go with the status: Retry-After on a 503. */
  get headers(): Record<string, string> {
    return this.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
  }

  toBody(): ErrorBody {
    const { mayExist, id } = this.extras;
    return {
      error: {
        code: this.code,
        kind: this.kind,
        message: this.message,
        retryable: this.retryable,
        ...(this.issues ? { issues: [...this.issues] } : {}),
        ...(mayExist !== undefined ? { mayExist } : {}),
        ...(id !== undefined ? { id } : {}),
      },
    };
  }
}

/** `nodes[2].after[0]` inside the `dag` field of the body → `dag.nodes[2].after[0]`. */
function underDag(path: string): string {
  if (path === '(root)' || path === '') return 'dag';
  if (path.startsWith('(')) return `dag ${path}`;
  return path.startsWith('[') ? `dag${path}` : `dag.${path}`;
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Errors whose answer carries more than a kind: their problems, the run id, the run's own words. */
function detailed(err: unknown): ApiError | undefined {
  if (err instanceof DagValidationError) {
    // A named DAG whose definition file is invalid: the request was fine, the DAG is not.
    if (err.source) return new ApiError(422, ERROR_CODES.DAG_INVALID, `the definition of this DAG (${err.source}) has ${plural(err.issues.length, 'problem')}`, err.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })));
    return new ApiError(400, ERROR_CODES.INVALID_DAG, `the DAG definition has ${plural(err.issues.length, 'problem')}`, err.issues.map((i) => ({ path: underDag(i.path), message: i.message, code: i.code })));
  }
  if (err instanceof RunInputError) {
    return new ApiError(400, ERROR_CODES.INVALID_INPUT, `the input does not match the input schema of DAG ${err.dag}`, err.issues.map((i) => ({ path: i.path, message: i.message, code: 'input_schema' })));
  }
  if (err instanceof ScheduleFileError) return new ApiError(400, ERROR_CODES.INVALID_SCHEDULE, err.message.split('\n')[0]!, err.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })));
  if (err instanceof RunOptionError) return new ApiError(400, ERROR_CODES.INVALID_REQUEST, err.message, [{ path: err.option, message: err.message.slice(err.option.length + 2), code: 'invalid' }]);
  if (err instanceof RunStartUncertainError) return new ApiError(503, ERROR_CODES.TEMPORAL_UNAVAILABLE, err.message, undefined, { kind: err.kind, mayExist: true, id: err.id });
  if (err instanceof JobSubmitUncertainError) return new ApiError(503, ERROR_CODES.TEMPORAL_UNAVAILABLE, err.message, undefined, { kind: err.kind, mayExist: true, id: err.id });
  if (err instanceof WorkflowUpdateFailedError) return new ApiError(409, ERROR_CODES.DECISION_REFUSED, (err.cause as { message?: string } | undefined)?.message ?? err.message, undefined, { kind: ERROR_KINDS.REFUSED });
  return undefined;
}

/** Fastify's own errors carry a `statusCode` and an `FST_…` code (some are RangeErrors). */
function fastifyError(err: unknown): ApiError | undefined {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  if (typeof e.statusCode !== 'number' || e.statusCode < 400 || e.statusCode >= 500) return undefined;
  const message = typeof e.message === 'string' ? e.message : 'bad request';
  if (e.statusCode === 413) return new ApiError(413, ERROR_CODES.PAYLOAD_TOO_LARGE, message);
  if (e.statusCode === 414) return new ApiError(414, ERROR_CODES.URI_TOO_LONG, message);
  if (e.statusCode === 415) return new ApiError(415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, `${message}; send JSON with Content-Type: application/json`);
  return new ApiError(e.statusCode, ERROR_CODES.INVALID_REQUEST, message);
}

function notFoundCode(e: unknown): ErrorCode {
  if (e instanceof DagNotFoundError) return ERROR_CODES.DAG_NOT_FOUND;
  if (e instanceof RunNotFoundError || e instanceof WorkflowNotFoundError) return ERROR_CODES.RUN_NOT_FOUND;
  if (e instanceof ScheduleNotFoundError) return ERROR_CODES.SCHEDULE_NOT_FOUND;
  if (e instanceof QueueNotFoundError) return ERROR_CODES.QUEUE_NOT_FOUND;
  return ERROR_CODES.NOT_FOUND;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The answer for a classified error: the thin mapper from kind to status. */
function fromKind(c: ErrorClass): ApiError {
  const e = c.decidedBy;
  switch (c.kind) {
    case ERROR_KINDS.NOT_FOUND:
      if (e instanceof WorkflowNotFoundError) return new ApiError(404, ERROR_CODES.RUN_NOT_FOUND, `no run with id "${e.workflowId}"`);
      return new ApiError(404, notFoundCode(e), messageOf(e));
    case ERROR_KINDS.INVALID:
      return new ApiError(400, ERROR_CODES.INVALID_REQUEST, c.grpcStatus ? `Temporal refused the request as invalid: ${messageOf(e)}` : messageOf(e));
    case ERROR_KINDS.CONFLICT:
      if (e instanceof RunStateError) return new ApiError(409, ERROR_CODES.RUN_STATE, e.message);
      return new ApiError(409, e instanceof Error && e.name.startsWith('Schedule') ? ERROR_CODES.SCHEDULE_CONFLICT : ERROR_CODES.CONFLICT, messageOf(e));
    case ERROR_KINDS.REFUSED:
      // Temporal refusing the API's own credentials is not the caller's doing.
      if (c.grpcStatus) return new ApiError(500, ERROR_CODES.TEMPORAL_REFUSED, `Temporal refused the API (${c.grpcStatus}); check the API's Temporal credentials`, undefined, { kind: c.kind });
      return new ApiError(409, ERROR_CODES.DECISION_REFUSED, messageOf(e), undefined, { kind: c.kind });
    case ERROR_KINDS.UNAVAILABLE:
    case ERROR_KINDS.TIMED_OUT: {
      const why = c.kind === ERROR_KINDS.TIMED_OUT ? 'did not answer in time' : 'is not reachable';
      return new ApiError(503, ERROR_CODES.TEMPORAL_UNAVAILABLE, `Temporal ${why}${c.grpcStatus ? ` (${c.grpcStatus})` : ''}: ${messageOf(e)}`, undefined, { kind: c.kind });
    }
    case ERROR_KINDS.MISCONFIGURED:
      if (e instanceof DefinitionsFolderError) return new ApiError(500, ERROR_CODES.DAGS_FOLDER_UNAVAILABLE, `${e.message}; set dagsDir (WEFT_DAGS_DIR)`, undefined, { kind: c.kind });
      return new ApiError(500, ERROR_CODES.MISCONFIGURED, `the API is misconfigured: ${messageOf(e)}`, undefined, { kind: c.kind });
    case ERROR_KINDS.INTERNAL:
      return new ApiError(500, ERROR_CODES.INTERNAL, 'internal error; see the API logs');
  }
}

/** The API error for anything a handler throws; unexpected errors become a 500 without their details. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // After Fastify's errors, some of which are RangeErrors (413): queues.ts and the schedules
  // client still check their options with RangeError. A stack overflow is not an option check.
  const optionCheck = err instanceof RangeError && !/call stack/i.test(err.message) ? new ApiError(400, ERROR_CODES.INVALID_REQUEST, err.message) : undefined;
  return detailed(err) ?? fastifyError(err) ?? optionCheck ?? fromKind(classifyError(err));
}
