/**
 * The size check on activity outputs. An output over Temporal's payload limit
 * never reaches the workflow: the server refuses a remote activity's
 * completion, and a local activity's result goes into the workflow task's
 * completion, which the server refuses as a whole, so that task is retried
 * for ever and the run is wedged. The worker measures the output as it will
 * be sent (JSON, then the codec's gzip and encryption) and fails the node
 * instead, once, with what to do about it.
 */
import { ApplicationFailure, defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';

/**
 * Temporal's default `limit.blobSize.error` (2 MiB), less 4 KiB for the other
 * fields of the event that carries the output (a local activity's marker
 * records its id, type, attempt and times next to the result).
 */
export const MAX_OUTPUT_PAYLOAD_BYTES = 2 * 1024 * 1024 - 4096;

export const OUTPUT_TOO_LARGE = 'WeftOutputTooLarge';

/** An activity's output, encoded as it would be sent, is over the bound. */
export class OutputTooLargeError extends Error {
  override readonly name = 'OutputTooLargeError';
  constructor(
    /** The node's activity id (`<node>` or `<node>/<index>`), or the activity type for a call that is not a DAG node. */
    readonly subject: string,
    readonly activityType: string,
    readonly sizeBytes: number,
    readonly boundBytes: number,
    readonly local: boolean,
  ) {
    super(
      `the output of ${subject} (activity ${activityType}) is ${sizeBytes.toLocaleString('en-US')} bytes once encoded, over the ` +
        `${boundBytes.toLocaleString('en-US')}-byte bound (Temporal's 2 MiB payload limit). Turn the claim check on ` +
        `(WEFT_CLAIM_CHECK_ABOVE, docs/payloads.md) so that large outputs travel by reference, or return a smaller output.` +
        (local ? " A local node's output also shares its workflow task's 4 MB with the others: give nodes with large outputs mode: remote." : ''),
    );
  }

  /** Non-retryable: the same input gives the same output, so another attempt would fail the same way. */
  toFailure(): ApplicationFailure {
    return ApplicationFailure.create({
      message: this.message,
      type: OUTPUT_TOO_LARGE,
      nonRetryable: true,
      details: [{ subject: this.subject, activityType: this.activityType, sizeBytes: this.sizeBytes, boundBytes: this.boundBytes }],
    });
  }
}

function sizeOf(payload: Payload): number {
  let n = payload.data?.length ?? 0;
  for (const [k, v] of Object.entries(payload.metadata ?? {})) n += k.length + (v?.length ?? 0);
  return n;
}

/**
 * The bytes `value` takes once converted and encoded by `codecs`, or
 * undefined when it is certainly within `bound`. The codecs run only when the
 * plain JSON is over the bound, so an ordinary output costs one JSON encoding.
 */
export async function oversizedBytes(value: unknown, bound: number, codecs: readonly PayloadCodec[]): Promise<number | undefined> {
  let payload = defaultPayloadConverter.toPayload(value);
  if (sizeOf(payload) <= bound) return undefined;
  for (const codec of codecs) [payload] = (await codec.encode([payload])) as [Payload];
  const size = sizeOf(payload);
  return size > bound ? size : undefined;
}
