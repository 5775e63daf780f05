/**
 * Weft's worker wraps every activity result in an envelope that also carries
 * the attempt number, so the status of a node can say how many attempts it
 * took. Results from workers without the interceptor pass through unchanged.
 */
export interface ActivityEnvelope {
  __weft: 1;
  output: unknown;
  attempt: number;
}

export function isEnvelope(value: unknown): value is ActivityEnvelope {
  return typeof value === 'object' && value !== null && (value as { __weft?: unknown }).__weft === 1 && 'output' in value;
}

export function unwrapResult(value: unknown): { output: unknown; attempt?: number } {
  return isEnvelope(value) ? { output: value.output, attempt: value.attempt } : { output: value };
}

/** Detail element the interceptor appends to failures, with the attempt that failed. */
export interface AttemptDetail {
  weftAttempt: number;
}

export function isAttemptDetail(value: unknown): value is AttemptDetail {
  return typeof value === 'object' && value !== null && typeof (value as { weftAttempt?: unknown }).weftAttempt === 'number';
}

/**
 * Second argument of a local activity call: a local activity's own id is a
 * sequence number, so the node's activity id (`node`, `node/3`,
 * `node/compensate`) travels here. The interceptor removes it before the
 * activity runs and makes it the activity's id, so idempotency keys are the
 * same in both modes.
 */
export interface LocalCallMeta {
  weftActivityId: string;
}

export function isLocalCallMeta(value: unknown): value is LocalCallMeta {
  return typeof value === 'object' && value !== null && typeof (value as { weftActivityId?: unknown }).weftActivityId === 'string';
}
