/** Helpers for the payload tests: JSON payloads the way Temporal's converter makes them, and keys. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

export function jsonPayload(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

export function valueOf(payload: Payload): unknown {
  return defaultPayloadConverter.fromPayload(payload);
}

export function encodingOf(payload: Payload): string {
  return Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString();
}

/** Compressible JSON about `bytes` long. */
export function compressible(bytes: number): { rows: string[] } {
  const row = 'the quick brown fox jumps over the lazy dog ';
  return { rows: Array.from({ length: Math.ceil(bytes / (row.length + 3)) }, (_, i) => `${row}${i % 10}`) };
}

export const newKey = (): string => randomBytes(32).toString('base64');

/** Plain-object view of a payload, so Buffer and Uint8Array compare equal. */
export function plain(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}
