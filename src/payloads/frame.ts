/**
 * A whole Payload (metadata and data) as one byte string, so a codec layer can
 * compress or encrypt the original metadata along with the data and restore
 * both exactly. Layout (big-endian):
 *   u8 version (1) | u32 entry count | per entry: u16 key length, key (UTF-8),
 *   u32 value length, value | data (the rest)
 */
import type { Payload } from '@temporalio/common';

const FRAME_VERSION = 1;

/** Thrown by unframe; the codec turns it into a PayloadDecodeError naming the payload. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function frame(payload: Payload): Buffer {
  const entries = Object.entries(payload.metadata ?? {}).map(([k, v]) => [Buffer.from(k, 'utf8'), v ?? new Uint8Array()] as const);
  const data = payload.data ?? new Uint8Array();
  let size = 1 + 4 + data.length;
  for (const [k, v] of entries) size += 2 + k.length + 4 + v.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.writeUInt8(FRAME_VERSION, 0);
  at = out.writeUInt32BE(entries.length, at);
  for (const [k, v] of entries) {
    at = out.writeUInt16BE(k.length, at);
    at += k.copy(out, at);
    at = out.writeUInt32BE(v.length, at);
    out.set(v, at);
    at += v.length;
  }
  out.set(data, at);
  return out;
}

export function unframe(bytes: Uint8Array): Payload {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number): void => {
    if (at + n > buf.length) throw new FrameError(`truncated at byte ${at} (needs ${n} more of ${buf.length})`);
  };
  need(0, 5);
  const version = buf.readUInt8(0);
  if (version !== FRAME_VERSION) throw new FrameError(`unknown frame version ${version}`);
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
