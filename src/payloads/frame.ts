/**
 * A whole Payload (metadata and data) as one byte string, so a codec layer can
 * compress or encrypt the original metadata along with the data and restore
 * both exactly.
 *
 * New frames are the Payload's own protobuf encoding (temporal.api.common.v1.Payload
 * from @temporalio/proto), the format Temporal's codec samples use and any
 * Temporal tool can parse. Frames written before that use Weft's first layout,
 * and still decode (big-endian):
 *   u8 version (1) | u32 entry count | per entry: u16 key length, key (UTF-8),
 *   u32 value length, value | data (the rest)
 * The two cannot be confused: an encoded Payload starts with the tag of field 1
 * or 2 (0x0a, 0x12), or is empty, and never with 0x01.
 */
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ProtoPayload = temporal.api.common.v1.Payload;
const LEGACY_FRAME_VERSION = 1;

/** Thrown by unframe; the codec turns it into a PayloadDecodeError naming the payload. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function frame(payload: Payload): Uint8Array {
  return ProtoPayload.encode({ metadata: payload.metadata ?? {}, data: payload.data ?? new Uint8Array() }).finish();
}

export function unframe(bytes: Uint8Array): Payload {
  if (bytes[0] === LEGACY_FRAME_VERSION) return unframeLegacy(bytes);
  let decoded: temporal.api.common.v1.Payload;
  try {
    decoded = ProtoPayload.decode(bytes);
  } catch (err) {
    throw new FrameError(`not an encoded Payload: ${(err as Error).message}`);
  }
  // Copies, so the result owns its bytes; protobufjs gives [] for an absent bytes field.
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(decoded.metadata ?? {})) metadata[key] = new Uint8Array(value);
  return { metadata, data: new Uint8Array(decoded.data ?? []) };
}

/**
 * Whether stored bytes are a frame rather than JSON text: a frame starts with
 * the legacy version byte or a Payload field tag (0x01, 0x0a, 0x12), and the
 * output of JSON.stringify never starts with a control character.
 */
export function isFrame(bytes: Uint8Array): boolean {
  const first = bytes[0];
  return first === LEGACY_FRAME_VERSION || first === 0x0a || first === 0x12;
}

/** Weft's first frame layout, kept so histories written before the protobuf frames stay readable. */
function unframeLegacy(bytes: Uint8Array): Payload {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number): void => {
    if (at + n > buf.length) throw new FrameError(`truncated at byte ${at} (needs ${n} more of ${buf.length})`);
  };
  need(0, 5);
  const count = buf.readUInt32BE(1);
  let at = 5;
  const metadata: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    need(at, 2);
    const kLen = buf.readUInt16BE(at);
    at += 2;
    need(at, kLen + 4);
    const key = buf.toString('utf8', at, at + kLen);
    at += kLen;
    const vLen = buf.readUInt32BE(at);
    at += 4;
    need(at, vLen);
    metadata[key] = Uint8Array.prototype.slice.call(buf, at, at + vLen);
    at += vLen;
  }
  return { metadata, data: Uint8Array.prototype.slice.call(buf, at) };
}
