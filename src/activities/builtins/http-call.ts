/**
 * One HTTP exchange for the built-in activities: fetch with a timeout that
 * also covers reading the body, cancellation from the activity, the
 * idempotency key header, a cap on the body size (results are stored in
 * workflow history), failures classified by http-failures.ts, and, when
 * tracing is on, a client span whose W3C `traceparent` goes out with the request.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type TextMapSetter } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import { networkFailure, statusFailure, timeoutFailure, tooLargeFailure } from './http-failures';

export interface HttpCall {
  method: string;
  url: URL;
  headers: Headers;
  body?: string;
  timeoutMs: number;
  /** Statuses that count as success. @defaultValue 200–399 */
  expectStatus?: readonly number[];
  maxResponseBytes: number;
  /** The activity's cancellation signal. */
  signal?: AbortSignal;
  /**
   * Called at the start and every second while the call is in flight: an
   * activity learns of its cancellation only through heartbeats.
   */
  heartbeat?: () => void;
}

export interface HttpResult {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON (null when empty), else text. */
  body: unknown;
}

/** @defaultValue 30 s */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
/** @defaultValue 1 MiB: well under Temporal's 2 MB payload limit */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const HEARTBEAT_EVERY_MS = 1000;
/** Error bodies are read this far for the failure details, never further. */
const ERROR_BODY_BYTES = 64 * 1024;

/** Sets `Idempotency-Key` unless the caller set one (in any letter case). */
export function withIdempotencyKey(headers: Headers, key: string): Headers {
  if (!headers.has('idempotency-key')) headers.set('Idempotency-Key', key);
  return headers;
}

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim());
}

/**
 * Encodes a request body: JSON, unless it is a string and the caller set a
 * non-JSON Content-Type (a form post, XML), which is then sent as it is.
 */
export function encodeBody(body: unknown, headers: Headers): string | undefined {
  if (body === undefined) return undefined;
  const contentType = headers.get('content-type');
  if (typeof body === 'string' && contentType !== null && !isJsonContentType(contentType)) return body;
  if (contentType === null) headers.set('Content-Type', 'application/json');
  return JSON.stringify(body);
}

async function readLimited(res: Response, maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), complete: true };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      chunks.push(Buffer.from(chunk).subarray(0, chunk.byteLength - (size - maxBytes)));
      // Leaving the loop cancels the stream and releases the connection.
      return { bytes: Buffer.concat(chunks), complete: false };
    }
    chunks.push(Buffer.from(chunk));
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!isJsonContentType(contentType)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    // A server that mislabels its body: hand over the text rather than fail a request that succeeded.
    return text;
  }
}

function isSuccess(status: number, expectStatus: readonly number[] | undefined): boolean {
  return expectStatus ? expectStatus.includes(status) : status >= 200 && status < 400;
}

const headerSetter: TextMapSetter<Headers> = { set: (headers, key, value) => headers.set(key, value) };

/**
 * Performs the call; inside a recording span (tracing on, in a traced
 * activity) it opens a client span and sends its context as `traceparent`,
 * unless the caller set one. With tracing off it costs one lookup.
 */
export async function performHttpCall(call: HttpCall): Promise<HttpResult> {
  if (!trace.getActiveSpan()?.isRecording()) return exchange(call);
  const attributes = { 'http.request.method': call.method, 'url.full': `${call.url.origin}${call.url.pathname}`, 'server.address': call.url.hostname };
  return trace.getTracer('weft-activities').startActiveSpan(`HTTP ${call.method}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    if (!call.headers.has('traceparent')) propagation.inject(context.active(), call.headers, headerSetter);
    try {
      const result = await exchange(call);
      span.setAttribute('http.response.status_code', result.status);
      return result;
    } catch (err) {
      const status = err instanceof ApplicationFailure ? (err.details?.[0] as { status?: unknown } | undefined)?.status : undefined;
      if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

async function exchange(call: HttpCall): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  const beating = call.heartbeat ? setInterval(call.heartbeat, HEARTBEAT_EVERY_MS) : undefined;
  call.heartbeat?.();
  try {
    const res = await fetch(call.url, { method: call.method, headers: call.headers, body: call.body ?? null, signal });
    const ok = isSuccess(res.status, call.expectStatus);
    const declared = Number(res.headers.get('content-length'));
    if (ok && Number.isFinite(declared) && declared > call.maxResponseBytes) {
      await res.body?.cancel();
      throw tooLargeFailure(call.method, call.url, call.maxResponseBytes);
    }
    const { bytes, complete } = await readLimited(res, ok ? call.maxResponseBytes : ERROR_BODY_BYTES);
    if (ok && !complete) throw tooLargeFailure(call.method, call.url, call.maxResponseBytes);
    const text = bytes.toString('utf8');
    if (!ok) {
      throw statusFailure({
        method: call.method,
        url: call.url,
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
        bodyText: text,
        ...(call.expectStatus ? { expectStatus: call.expectStatus } : {}),
      });
    }
    return { status: res.status, headers: Object.fromEntries(res.headers), body: parseBody(text, res.headers.get('content-type')) };
  } catch (err) {
    // Cancellation wins over everything: rethrow Temporal's CancelledFailure so the run records a cancellation.
    if (call.signal?.aborted) throw call.signal.reason;
    if (err instanceof ApplicationFailure) throw err;
    if (timeout.aborted) throw timeoutFailure(call.method, call.url, call.timeoutMs);
    if (err instanceof TypeError) throw networkFailure(call.method, call.url, err);
    throw err;
  } finally {
    clearInterval(beating);
  }
}
