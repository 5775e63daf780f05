/**
 * Which errors from starting a run belong to the row (record them, retry the
 * row later, park it eventually) and which say that Temporal cannot be
 * reached (roll the batch back and count nothing, so an outage parks no row).
 */
import { ServiceError, isGrpcServiceError } from '@temporalio/client';
import { TemporalUnavailableError } from '../client/connection';

// gRPC status codes that describe the server or the network, not the request.
const UNAVAILABLE_CODES = new Set([
  1, // CANCELLED
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED (rate limits)
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);

export function isTemporalUnavailable(err: unknown): boolean {
  if (err instanceof TemporalUnavailableError) return true;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e)) return UNAVAILABLE_CODES.has(e.code);
    // The client wraps failures that carry no gRPC status (transport, codec) in a bare ServiceError.
    if (e instanceof ServiceError && !isGrpcServiceError(e.cause)) return true;
  }
  return false;
}

/** One line for last_error: the error's type and message, bounded. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 2000 ? `${text.slice(0, 1999)}…` : text;
}

/**
 * True when a pg error is about reaching or entering the database (refused,
 * timed out, lost, authentication, no such database) rather than about a
 * statement.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return /^(08|28|3D|57P0[123])/.test(code);
    // Node socket errors: ECONNREFUSED, ENOTFOUND, ECONNRESET, EAI_AGAIN, …
    return /^E[A-Z_]+$/.test(code);
  }
  return /timeout exceeded when trying to connect|Connection terminated/i.test(err.message);
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(describeError(err));
}
