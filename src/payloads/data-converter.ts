/**
 * The DataConverter that both `Worker.create({ dataConverter })` and
 * `new Client({ dataConverter })` take: Temporal's default JSON payload
 * converter, then WeftCodec on the wire.
 */
import type { DataConverter } from '@temporalio/common';
import { WeftCodec, type WeftCodecOptions } from './codec';

/** Builds the converter from codec options, or wraps a codec that is already built (to share it with a codec server). */
export function weftDataConverter(options: WeftCodecOptions | WeftCodec = {}): DataConverter {
  return { payloadCodecs: [options instanceof WeftCodec ? options : new WeftCodec(options)] };
}
