/** The activities every Weft worker registers. */
import type { AnyActivityDefinition } from '../registry';
import { httpRequest } from './http-request';
import { noop } from './noop';
import { notifyWebhook } from './notify-webhook';
import { sleep } from './sleep';

export function builtinActivities(): AnyActivityDefinition[] {
  return [httpRequest, notifyWebhook, noop, sleep];
}

export { httpRequest, httpRequestInput, type HttpRequestInput, type HttpRequestOutput } from './http-request';
export { notifyWebhook, notifyWebhookInput, webhookSignature, SIGNATURE_HEADER, type NotifyWebhookInput } from './notify-webhook';
export { noop } from './noop';
export { sleep, sleepInput } from './sleep';
export { HTTP_FAILURE_TYPES, parseRetryAfter } from './http-failures';
export { DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES, type HttpResult } from './http-call';
