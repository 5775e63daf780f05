/**
 * What a gRPC status, a Temporal SDK error or a socket error means for Weft.
 * This file knows nothing of Weft's own errors, so the client library can use
 * it without importing the layers above it (see ./classify.ts for the whole
 * taxonomy).
 */
import {
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { causeChain } from './chain';
import { ERROR_KINDS, type ErrorKind } from './kinds';

/** gRPC status codes by name (they are part of the gRPC protocol, not of any library). */
export const GRPC_STATUS = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusName = keyof typeof GRPC_STATUS;

/**
 * Why each status maps where it does: CANCELLED, UNKNOWN, ABORTED and
 * INTERNAL come from an overloaded or restarting server or a broken stream far
 * more often than from the request, and RESOURCE_EXHAUSTED is a rate limit,
 * so all of them are worth retrying; the request was not judged.
 */
const KIND_OF_STATUS: Record<GrpcStatusName, ErrorKind> = {
  CANCELLED: ERROR_KINDS.UNAVAILABLE,
  UNKNOWN: ERROR_KINDS.UNAVAILABLE,
  INVALID_ARGUMENT: ERROR_KINDS.INVALID,
  DEADLINE_EXCEEDED: ERROR_KINDS.TIMED_OUT,
  NOT_FOUND: ERROR_KINDS.NOT_FOUND,
  ALREADY_EXISTS: ERROR_KINDS.CONFLICT,
  PERMISSION_DENIED: ERROR_KINDS.REFUSED,
  RESOURCE_EXHAUSTED: ERROR_KINDS.UNAVAILABLE,
  FAILED_PRECONDITION: ERROR_KINDS.CONFLICT,
  ABORTED: ERROR_KINDS.UNAVAILABLE,
  OUT_OF_RANGE: ERROR_KINDS.INVALID,
  UNIMPLEMENTED: ERROR_KINDS.REFUSED,
  INTERNAL: ERROR_KINDS.UNAVAILABLE,
  UNAVAILABLE: ERROR_KINDS.UNAVAILABLE,
  DATA_LOSS: ERROR_KINDS.INTERNAL,
  UNAUTHENTICATED: ERROR_KINDS.REFUSED,
};

const STATUS_NAMES = new Map<number, GrpcStatusName>(Object.entries(GRPC_STATUS).map(([name, code]) => [code, name as GrpcStatusName]));

/** Socket errors that mean the server could not be reached (as opposed to a bad request). */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

export interface TemporalErrorClass {
  kind: ErrorKind;
  /** The gRPC status that decided it, when there was one. */
  grpcStatus?: GrpcStatusName;
}

/** The gRPC status name of the first gRPC error in `err`'s cause chain. */
export function grpcStatusOf(err: unknown): GrpcStatusName | undefined {
  for (const e of causeChain(err)) if (isGrpcServiceError(e)) return STATUS_NAMES.get(e.code);
  return undefined;
}

/** The kind decided by the first Temporal, gRPC or socket error in `err`'s cause chain. */
export function classifyTemporalCause(err: unknown): TemporalErrorClass | undefined {
  for (const e of causeChain(err)) {
    const found = classifyTemporalError(e);
    if (found) return found;
  }
  return undefined;
}

/**
 * The kind of one error (not its causes) when it comes from Temporal's SDK,
 * gRPC or the network; undefined when this error alone does not say.
 */
export function classifyTemporalError(e: unknown): TemporalErrorClass | undefined {
  if (!(e instanceof Error)) return undefined;
  if (e instanceof WorkflowNotFoundError) return { kind: ERROR_KINDS.NOT_FOUND };
  if (e instanceof WorkflowExecutionAlreadyStartedError) return { kind: ERROR_KINDS.CONFLICT };
  if (e instanceof WorkflowUpdateFailedError) return { kind: ERROR_KINDS.REFUSED };
  if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { kind: ERROR_KINDS.TIMED_OUT };
  // A wrong namespace is a setting to fix, not a missing thing the caller asked for.
  if (e instanceof NamespaceNotFoundError) return { kind: ERROR_KINDS.MISCONFIGURED };
  if (isGrpcServiceError(e)) {
    const name = STATUS_NAMES.get(e.code);
    return name ? { kind: KIND_OF_STATUS[name], grpcStatus: name } : { kind: ERROR_KINDS.UNAVAILABLE };
  }
  // The SDK wraps failures that have no gRPC status (transport, connect) in a bare ServiceError.
  if (e instanceof ServiceError && !isGrpcServiceError(e.cause)) return { kind: ERROR_KINDS.UNAVAILABLE };
  const code = (e as { code?: unknown }).code;
  if (code === 'ETIMEDOUT') return { kind: ERROR_KINDS.TIMED_OUT };
  if (typeof code === 'string' && UNREACHABLE_SOCKET_CODES.has(code)) return { kind: ERROR_KINDS.UNAVAILABLE };
  return undefined;
}
