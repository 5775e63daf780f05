/**
 * Which errors from starting a run belong to the row (record them, retry the
 * row later, park it eventually) and which say that Temporal cannot be
 * reached (roll the batch back and count nothing, so an outage parks no row).
 */
import { isTemporalUnavailable } from '../errors';

/**
 * True when Temporal (or the network to it) failed rather than the row's
 * start: the error taxonomy's retryable kinds (src/errors), so the relay, the
 * API and the CLI agree on what "Temporal is unavailable" means.
 */
export { isTemporalUnavailable };

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
