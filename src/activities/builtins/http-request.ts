/**
 * `http.request`: one HTTP call, with the node's idempotency key sent as
 * `Idempotency-Key`, so a retried POST is recognised by servers that
 * deduplicate (Stripe, Adyen, most payment and messaging APIs).
 */
import { z } from 'zod';
import { defineActivity } from '../registry';
import { encodeBody, performHttpCall, withIdempotencyKey, type HttpResult } from './http-call';
import { httpHeaders, httpTimeout, httpUrl, maxResponseBytes } from './input-fields';

const statusCode = z.number().int().min(100).max(599);
const queryScalar = z.union([z.string(), z.number(), z.boolean()]);

export const httpRequestInput = z
  .strictObject({
    /** @defaultValue GET */
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET, POST, PUT, PATCH or DELETE')
      .transform((m) => m.toUpperCase())
      .default('GET'),
    url: httpUrl,
    headers: httpHeaders.optional(),
    /** Added to the URL's query string; a list repeats the parameter; null leaves it out. */
    query: z.record(z.string(), z.union([queryScalar, z.array(queryScalar), z.null()])).optional(),
    /** Sent as JSON, unless it is a string and `headers` sets a non-JSON Content-Type. */
    body: z.unknown().optional(),
    timeout: httpTimeout,
    /** Statuses that count as success. @defaultValue 200–399 */
    expectStatus: z.union([statusCode, z.array(statusCode).min(1)]).optional(),
    maxResponseBytes,
  })
  .superRefine((input, ctx) => {
    if (input.body !== undefined && (input.method === 'GET' || input.method === 'HEAD')) {
      ctx.addIssue({ code: 'custom', path: ['body'], input: input.body, message: `a ${input.method} request cannot have a body` });
    }
  });

export type HttpRequestInput = z.input<typeof httpRequestInput>;
export type HttpRequestOutput = HttpResult;

export const httpRequest = defineActivity({
  name: 'http.request',
  description: 'HTTP request with the idempotency key; 5xx, 408, 429 and network errors retry, other 4xx fail',
  input: httpRequestInput,
  handler: async (input, ctx): Promise<HttpRequestOutput> => {
    const url = new URL(input.url);
    for (const [name, value] of Object.entries(input.query ?? {})) {
      if (value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers = withIdempotencyKey(new Headers(input.headers), ctx.idempotencyKey);
    const body = encodeBody(input.body, headers);
    return performHttpCall({
      method: input.method,
      url,
      headers,
      ...(body !== undefined ? { body } : {}),
      timeoutMs: input.timeout,
      ...(input.expectStatus !== undefined ? { expectStatus: [input.expectStatus].flat() } : {}),
      maxResponseBytes: input.maxResponseBytes,
      signal: ctx.signal,
      heartbeat: () => ctx.heartbeat(),
    });
  },
});
