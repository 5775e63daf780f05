/** Input fields shared by the built-in activities, validated at the edge. */
import { z } from 'zod';
import { parseDuration } from '../../dag/duration';
import { DEFAULT_HTTP_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES } from './http-call';

const DURATION_HINT = 'expected a duration such as 500ms, 30s, 10m or 1h30m, or milliseconds as a number';

/** A duration (`10s`, `1m30s`) or milliseconds, parsed to milliseconds. */
export function durationMs(opts: { positive?: boolean } = {}): z.ZodType<number, string | number> {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || (opts.positive && ms === 0)) {
      ctx.addIssue({ code: 'custom', input: value, message: ms === 0 ? 'must be more than 0' : DURATION_HINT });
      return z.NEVER;
    }
    return ms;
  });
}

export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an absolute http:// or https:// URL' });

/** Header values may be numbers or booleans in a DAG; they are sent as text. */
export const httpHeaders = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      try {
        new Headers([[name, value]]);
      } catch {
        ctx.addIssue({ code: 'custom', path: [name], input: value, message: `not a valid HTTP header (name ${JSON.stringify(name)})` });
      }
    }
  });

/** @defaultValue 30s */
export const httpTimeout = durationMs({ positive: true }).default(DEFAULT_HTTP_TIMEOUT_MS);

/** @defaultValue 1 MiB */
export const maxResponseBytes = z.number().int().positive().default(DEFAULT_MAX_RESPONSE_BYTES);
