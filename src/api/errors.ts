/**
 * Every error the API answers with has one shape,
 * `{ error: { code, message, issues? } }`. This file names the codes and maps
 * the client library's errors (and Fastify's and gRPC's) onto them.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { DagNotFoundError } from '../client/catalog';
import { QueueNotFoundError } from '../client/queues';
import { ScheduleConflictError, ScheduleExistsError, ScheduleFileError, ScheduleNotFoundError, ScheduleNotManagedError } from '../client/schedules';
import { TemporalUnavailableError } from '../client/connection';
import { DefinitionsFolderError } from '../client/definitions';
import { RunInputError } from '../client/input-schema';
import { RunNotFoundError, RunStateError } from '../client/weft-client';
import { DagValidationError } from '../dag/validate';

/** Error codes; clients may rely on them. */
export const ERROR_CODES = {
  UNAUTHORIZED: 'unauthorized',
  INVALID_REQUEST: 'invalid_request',
  INVALID_JSON: 'invalid_json',
  INVALID_DAG: 'invalid_dag',
  INVALID_INPUT: 'invalid_input',
  NOT_FOUND: 'not_found',
  RUN_NOT_FOUND: 'run_not_found',
  QUEUE_NOT_FOUND: 'queue_not_found',
  SCHEDULE_NOT_FOUND: 'schedule_not_found',
  SCHEDULE_CONFLICT: 'schedule_conflict',
  INVALID_SCHEDULE: 'invalid_schedule',
  DAG_NOT_FOUND: 'dag_not_found',
  DAG_INVALID: 'dag_invalid',
  RUN_STATE: 'run_state_conflict',
  DECISION_REFUSED: 'decision_refused',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  TEMPORAL_UNAVAILABLE: 'temporal_unavailable',
  NOT_READY: 'not_ready',
  SHUTTING_DOWN: 'shutting_down',
  DAGS_FOLDER_UNAVAILABLE: 'dags_folder_unavailable',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface ApiIssue {
  path: string;
  message: string;
  code?: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ApiIssue[] };
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: readonly ApiIssue[],
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: [...this.issues] } : {}) } };
  }
}

/** gRPC status codes that mean Temporal did not answer. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

/** `nodes[2].after[0]` inside the `dag` field of the body → `dag.nodes[2].after[0]`. */
function underDag(path: string): string {
  if (path === '(root)' || path === '') return 'dag';
  if (path.startsWith('(')) return `dag ${path}`;
  return path.startsWith('[') ? `dag${path}` : `dag.${path}`;
}

/** Fastify's own errors carry a `statusCode` and an `FST_…` code (some are RangeErrors). */
function fastifyError(err: unknown): ApiError | undefined {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  if (typeof e.statusCode !== 'number' || e.statusCode < 400 || e.statusCode >= 500) return undefined;
  const message = typeof e.message === 'string' ? e.message : 'bad request';
  if (e.statusCode === 413) return new ApiError(413, ERROR_CODES.PAYLOAD_TOO_LARGE, message);
  if (e.statusCode === 415) return new ApiError(415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, `${message}; send JSON with Content-Type: application/json`);
  if (e.statusCode === 400) return new ApiError(400, ERROR_CODES.INVALID_REQUEST, message);
  return new ApiError(e.statusCode, ERROR_CODES.INVALID_REQUEST, message);
}

/** The API error for anything a handler throws; unexpected errors become a 500 without their details. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DagValidationError && err.source) {
    // A named DAG whose definition file is invalid: the request was fine, the DAG is not.
    return new ApiError(
      422,
      ERROR_CODES.DAG_INVALID,
      `the definition of this DAG (${err.source}) has ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`,
      err.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })),
    );
  }
  if (err instanceof DagValidationError) {
    return new ApiError(
      400,
      ERROR_CODES.INVALID_DAG,
      `the DAG definition has ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`,
      err.issues.map((i) => ({ path: underDag(i.path), message: i.message, code: i.code })),
    );
  }
  if (err instanceof RunInputError) {
    return new ApiError(
      400,
      ERROR_CODES.INVALID_INPUT,
      `the input does not match the input schema of DAG ${err.dag}`,
      err.issues.map((i) => ({ path: i.path, message: i.message, code: 'input_schema' })),
    );
  }
  if (err instanceof DagNotFoundError) return new ApiError(404, ERROR_CODES.DAG_NOT_FOUND, err.message);
  if (err instanceof RunNotFoundError) return new ApiError(404, ERROR_CODES.RUN_NOT_FOUND, err.message);
  if (err instanceof ScheduleFileError) return new ApiError(400, ERROR_CODES.INVALID_SCHEDULE, err.message.split('\n')[0]!, err.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })));
  if (err instanceof ScheduleNotFoundError) return new ApiError(404, ERROR_CODES.SCHEDULE_NOT_FOUND, err.message);
  if (err instanceof ScheduleNotManagedError || err instanceof ScheduleExistsError || err instanceof ScheduleConflictError) return new ApiError(409, ERROR_CODES.SCHEDULE_CONFLICT, err.message);
  if (err instanceof QueueNotFoundError) return new ApiError(404, ERROR_CODES.QUEUE_NOT_FOUND, err.message);
  if (err instanceof WorkflowNotFoundError) return new ApiError(404, ERROR_CODES.RUN_NOT_FOUND, `no run with id "${err.workflowId}"`);
  if (err instanceof RunStateError) return new ApiError(409, ERROR_CODES.RUN_STATE, err.message);
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { message?: string } | undefined;
    return new ApiError(409, ERROR_CODES.DECISION_REFUSED, cause?.message ?? err.message);
  }
  if (err instanceof TemporalUnavailableError) return new ApiError(503, ERROR_CODES.TEMPORAL_UNAVAILABLE, err.message);
  const grpc = grpcCode(err);
  if (grpc === GRPC_UNAVAILABLE || grpc === GRPC_DEADLINE_EXCEEDED) {
    const why = grpc === GRPC_UNAVAILABLE ? 'is not reachable' : 'did not answer in time';
    return new ApiError(503, ERROR_CODES.TEMPORAL_UNAVAILABLE, `Temporal ${why}: ${(err as Error).message}`);
  }
  if (err instanceof DefinitionsFolderError) return new ApiError(500, ERROR_CODES.DAGS_FOLDER_UNAVAILABLE, `${err.message}; set dagsDir (WEFT_DAGS_DIR)`);
  const fromFastify = fastifyError(err);
  if (fromFastify) return fromFastify;
  // The client library checks its options with RangeError (delay, at, priority).
  if (err instanceof RangeError) return new ApiError(400, ERROR_CODES.INVALID_REQUEST, err.message);
  return new ApiError(500, ERROR_CODES.INTERNAL, 'internal error; see the API logs');
}
