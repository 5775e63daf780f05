/**
 * `notify.webhook`: POSTs a JSON body to a URL, with the idempotency key, and
 * when a secret is given, an HMAC-SHA256 signature of the exact bytes sent:
 * `X-Weft-Signature: sha256=<hex>`. Receivers recompute it to check the
 * sender, and use `Idempotency-Key` to drop repeats.
 */
import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { defineActivity } from '../registry';
import { performHttpCall, withIdempotencyKey, type HttpResult } from './http-call';
import { HTTP_FAILURE_TYPES } from './http-failures';
import { httpHeaders, httpTimeout, httpUrl, maxResponseBytes } from './input-fields';

export const SIGNATURE_HEADER = 'X-Weft-Signature';

/** A webhook succeeded when the receiver says 2xx; a redirect that fetch could not follow is not an acknowledgement. */
const WEBHOOK_SUCCESS: readonly number[] = Array.from({ length: 100 }, (_, i) => 200 + i);

export const notifyWebhookInput = z
  .strictObject({
    url: httpUrl,
    /** Sent as JSON. @defaultValue {} */
    body: z.unknown().optional(),
    headers: httpHeaders.optional(),
    /** Signs the body. It is stored in the run's history like all input; prefer `secretEnv`. */
    secret: z.string().min(1).optional(),
    /** Name of an environment variable of the worker that holds the secret; keeps it out of history. */
    secretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
    timeout: httpTimeout,
    maxResponseBytes,
  })
  .refine((input) => !(input.secret && input.secretEnv), { path: ['secretEnv'], message: 'give secret or secretEnv, not both' });

export type NotifyWebhookInput = z.input<typeof notifyWebhookInput>;

/** `sha256=<hex>` of the body with the secret; what receivers compare against. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function resolveSecret(input: { secret?: string | undefined; secretEnv?: string | undefined }): string | undefined {
  if (input.secret) return input.secret;
  if (!input.secretEnv) return undefined;
  const value = process.env[input.secretEnv];
  if (!value) {
    throw ApplicationFailure.create({
      message: `notify.webhook: environment variable ${input.secretEnv} (secretEnv) is not set on this worker`,
      type: HTTP_FAILURE_TYPES.webhookSecretMissing,
      nonRetryable: true,
      details: [{ secretEnv: input.secretEnv }],
    });
  }
  return value;
}

export const notifyWebhook = defineActivity({
  name: 'notify.webhook',
  description: 'POST JSON to a webhook, signed with HMAC-SHA256 when a secret is given',
  input: notifyWebhookInput,
  handler: async (input, ctx): Promise<HttpResult> => {
    const secret = resolveSecret(input);
    const body = JSON.stringify(input.body === undefined ? {} : input.body);
    const headers = withIdempotencyKey(new Headers(input.headers), ctx.idempotencyKey);
    headers.set('Content-Type', 'application/json');
    if (!headers.has('user-agent')) headers.set('User-Agent', 'weft-webhook');
    if (secret) headers.set(SIGNATURE_HEADER, webhookSignature(secret, body));
    return performHttpCall({
      method: 'POST',
      url: new URL(input.url),
      headers,
      body,
      timeoutMs: input.timeout,
      expectStatus: WEBHOOK_SUCCESS,
      maxResponseBytes: input.maxResponseBytes,
      signal: ctx.signal,
      heartbeat: () => ctx.heartbeat(),
    });
  },
});
