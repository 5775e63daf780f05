/**
 * How an HTTP outcome becomes a Temporal failure. Shared by http.request and
 * notify.webhook, so both classify errors the same way:
 * - network errors, timeouts, 5xx, 408 and 429 are retryable;
 * - other 4xx (and a status outside `expectStatus`) are not: a retry sends the same request;
 * - a `Retry-After` header on a retryable response sets the next retry delay.
 */
import { ApplicationFailure } from '@temporalio/common';

/** `ApplicationFailure.type` of HTTP failures; list them in a node's `retry.nonRetryableErrorTypes` to change the defaults. */
export const HTTP_FAILURE_TYPES = {
  /** 5xx. Retryable. */
  serverError: 'HttpServerError',
  /** 4xx other than 408 and 429. Non-retryable. */
  clientError: 'HttpClientError',
  /** 429 Too Many Requests. Retryable, after `Retry-After` when given. */
  rateLimited: 'HttpRateLimited',
  /** The request timed out (the `timeout` input), or the server answered 408. Retryable. */
  timeout: 'HttpTimeout',
  /** Connection refused or reset, DNS failure, TLS error. Retryable. */
  networkError: 'HttpNetworkError',
  /** A 1xx-3xx status that `expectStatus` does not list. Non-retryable. */
  unexpectedStatus: 'HttpUnexpectedStatus',
  /** The response body is larger than `maxResponseBytes`. Non-retryable. */
  responseTooLarge: 'HttpResponseTooLarge',
  /** notify.webhook's `secretEnv` names a variable the worker does not have. Non-retryable. */
  webhookSecretMissing: 'WeftWebhookSecretMissing',
} as const;

/** How much of an error response's body goes into the failure. */
export const FAILURE_BODY_CHARS = 2000;
const MESSAGE_BODY_CHARS = 200;

/** What a failure says about the request: no credentials, no query string (it often carries tokens). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds or an HTTP
 * date. Undefined when absent, malformed, or already past.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000;
    return ms > 0 ? ms : undefined;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const ms = at - now;
  return ms > 0 ? ms : undefined;
}

export interface StatusFailureInput {
  method: string;
  url: URL;
  status: number;
  statusText: string;
  headers: Headers;
  /** The response body as text, possibly cut short. */
  bodyText: string;
  /** The statuses that would have counted as success, when the caller gave them. */
  expectStatus?: readonly number[];
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** [200, 201, …, 299, 304] → "200–299 or 304". */
function formatStatuses(statuses: readonly number[]): string {
  const sorted = [...new Set(statuses)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return runs.join(' or ');
}

export function statusFailure(res: StatusFailureInput): ApplicationFailure {
  const { status } = res;
  const [type, retryable] =
    status >= 500 ? [HTTP_FAILURE_TYPES.serverError, true]
    : status === 429 ? [HTTP_FAILURE_TYPES.rateLimited, true]
    : status === 408 ? [HTTP_FAILURE_TYPES.timeout, true]
    : status >= 400 ? [HTTP_FAILURE_TYPES.clientError, false]
    : [HTTP_FAILURE_TYPES.unexpectedStatus, false];
  const retryAfterMs = retryable ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
  const snippet = res.bodyText.trim() ? `: ${truncate(res.bodyText.trim().replace(/\s+/g, ' '), MESSAGE_BODY_CHARS)}` : '';
  const expected = type === HTTP_FAILURE_TYPES.unexpectedStatus && res.expectStatus ? ` (expected ${formatStatuses(res.expectStatus)})` : '';
  return ApplicationFailure.create({
    message: `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''} from ${res.method} ${describeUrl(res.url)}${expected}${snippet}`,
    type,
    nonRetryable: !retryable,
    ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
    details: [
      {
        method: res.method,
        url: describeUrl(res.url),
        status,
        statusText: res.statusText,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        body: truncate(res.bodyText, FAILURE_BODY_CHARS),
      },
    ],
  });
}

export function timeoutFailure(method: string, url: URL, timeoutMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${method} ${describeUrl(url)} timed out after ${timeoutMs} ms`,
    type: HTTP_FAILURE_TYPES.timeout,
    nonRetryable: false,
    details: [{ method, url: describeUrl(url), timeoutMs }],
  });
}

export function networkFailure(method: string, url: URL, err: unknown): ApplicationFailure {
  // fetch reports "fetch failed" and puts the useful part (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return ApplicationFailure.create({
    message: `${method} ${describeUrl(url)} failed: ${reason}`,
    type: HTTP_FAILURE_TYPES.networkError,
    nonRetryable: false,
    details: [{ method, url: describeUrl(url), ...(typeof code === 'string' ? { code } : {}), reason }],
    ...(cause instanceof Error ? { cause } : {}),
  });
}

export function tooLargeFailure(method: string, url: URL, maxBytes: number): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${method} ${describeUrl(url)} returned more than ${maxBytes} bytes; raise maxResponseBytes, or have the activity store the body elsewhere and return a reference (results live in workflow history)`,
    type: HTTP_FAILURE_TYPES.responseTooLarge,
    nonRetryable: true,
    details: [{ method, url: describeUrl(url), maxResponseBytes: maxBytes }],
  });
}
