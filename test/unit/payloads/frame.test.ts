/**
 * Payload frames: new ones are the protobuf encoding of temporal.api.common.v1.Payload,
 * and frames written by Weft's first layout (before protobuf) still decode.
 * The legacy bytes below were written by that code, not rebuilt by this test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FileBlobStore, restore, WeftCodec } from '../../../src/payloads';
import { frame, FrameError, unframe } from '../../../src/payloads/frame';

const text = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array()).toString();
const original = {
  metadata: { encoding: 'json/plain', 'weft-note': 'legacy' },
  data: JSON.stringify({ order: 42, items: 'x'.repeat(100) }),
};

/** `frame()` of `original` by the layout-1 code (u8 version, u32 count, u16/u32 lengths). */
const LEGACY_FRAME =
  'AQAAAAIACGVuY29kaW5nAAAACmpzb24vcGxhaW4ACXdlZnQtbm90ZQAAAAZsZWdhY3l7Im9yZGVyIjo0MiwiaXRlbXMiOiJ4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4In0=';

/** `original`, gzipped and encrypted by the codec of that time with key 07…07 under id k1. */
const LEGACY_ENCODED = {
  metadata: { encoding: 'YmluYXJ5L3dlZnQtYWVzMjU2Z2Nt', 'weft-key-id': 'azE=' },
  data: '1OIHJdwMYuPAtFX2cMDmygHl0Vaw3lKiyaizoYTKdtrRkqGZwh7ulP2aFVAZARC4CavT0OxOozEvm4BGuoMAQg5KKCNYQC+9ydZ7ZpOzvz/9O/LcW7mV979t7woQ6dwh+cQMf312MYQZa3SOBb5v8LtcLaiuuaxlmwAemum2fQp5BCSRAUYq15r/YiLSXmd/LhwXMN1sbZGeQz76MfqE',
};

/** A claim-check blob of that time: LEGACY_ENCODED in the first frame layout. */
const LEGACY_BLOB =
  'AQAAAAIACGVuY29kaW5nAAAAFWJpbmFyeS93ZWZ0LWFlczI1NmdjbQALd2VmdC1rZXktaWQAAAACazHU4gcl3Axi48C0VfZwwObKAeXRVrDeUqLJqLOhhMp22tGSoZnCHu6U/ZoVUBkBELgJq9PQ7E6jMS+bgEa6gwBCDkooI1hAL73J1ntmk7O/P/078txbuZX3v23vChDp3CH5xAx/fXYxhBlrdI4Fvm/wu1wtqK65rGWbAB6a6bZ9CnkEJJEBRirXmv9iItJeZ38uHBcw3WxtkZ5DPvox+oQ=';

describe('payload frames', () => {
  it('a new frame is the protobuf encoding of the Payload, readable by any Temporal tool', () => {
    const payload = { metadata: { encoding: Buffer.from('binary/plain'), bin: new Uint8Array([0, 255, 1]) }, data: new Uint8Array([9, 8, 7]) };
    const decoded = temporal.api.common.v1.Payload.decode(frame(payload));
    expect(text(decoded.metadata.encoding)).toBe('binary/plain');
    expect([...decoded.metadata.bin!]).toEqual([0, 255, 1]);
    expect([...decoded.data]).toEqual([9, 8, 7]);
  });

  it('round-trips metadata and data exactly, including an empty payload', () => {
    const payload = { metadata: { encoding: Buffer.from('json/plain'), empty: new Uint8Array() }, data: Buffer.from('{"a":1}') };
    const back = unframe(frame(payload));
    expect(Object.keys(back.metadata!).sort()).toEqual(['empty', 'encoding']);
    expect(text(back.metadata!.encoding)).toBe('json/plain');
    expect(back.metadata!.empty).toHaveLength(0);
    expect(text(back.data)).toBe('{"a":1}');
    expect(unframe(frame({}))).toEqual({ metadata: {}, data: new Uint8Array() });
  });

  it('decodes a frame written in the first layout', () => {
    const back = unframe(Buffer.from(LEGACY_FRAME, 'base64'));
    expect(Object.fromEntries(Object.entries(back.metadata!).map(([k, v]) => [k, text(v)]))).toEqual(original.metadata);
    expect(text(back.data)).toBe(original.data);
  });

  it('the codec decodes a gzipped, encrypted payload written before protobuf frames', async () => {
    const codec = new WeftCodec({ encryptionKey: '07'.repeat(32), encryptionKeyId: 'k1' });
    const stored = {
      metadata: Object.fromEntries(Object.entries(LEGACY_ENCODED.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(LEGACY_ENCODED.data, 'base64'),
    };
    const [back] = await codec.decode([stored]);
    expect(text(back!.metadata!.encoding)).toBe('json/plain');
    expect(text(back!.data)).toBe(original.data);
  });

  it('a truncated first-layout frame is a FrameError saying where it ends', () => {
    const cut = Buffer.from(LEGACY_FRAME, 'base64').subarray(0, 20);
    expect(() => unframe(cut)).toThrow(FrameError);
    expect(() => unframe(cut)).toThrow(/truncated at byte/);
  });

  it('bytes that are not an encoded Payload are a FrameError', () => {
    // Field 1 (metadata) announcing 127 bytes that are not there.
    expect(() => unframe(new Uint8Array([0x0a, 0x7f, 0x01]))).toThrow(FrameError);
  });

  it('the claim check restores a blob that was encoded and framed before protobuf frames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-legacy-blob-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const store = new FileBlobStore(dir);
    await store.put('legacy/blob', Buffer.from(LEGACY_BLOB, 'base64'));
    const ref = { __weftRef: { store: store.id, key: 'legacy/blob', size: 123, sha256: 'dab5fda0efc72677e0ace15503cf2196f2cd75bc372dc0f7bfcbbdde52e44a0a' } };
    const codec = new WeftCodec({ encryptionKey: '07'.repeat(32), encryptionKeyId: 'k1' });
    expect(await restore(ref, store, { codec })).toEqual(JSON.parse(original.data));
  });
});
