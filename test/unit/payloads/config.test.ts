/** The `payloads` config section and what an entry point builds from it. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPayloadSupport, keyFingerprint, PAYLOAD_ENV_VARS, payloadsConfigSchema, WeftCodec, type FileBlobStore } from '../../../src/payloads';

describe('payloadsConfigSchema', () => {
  it('defaults to compression above 4 KiB, no encryption, and the claim check above 256 KiB in the default store', () => {
    expect(payloadsConfigSchema.parse({})).toEqual({
      codec: { decryptKeys: [], compressAbove: 4096 },
      claimCheck: { above: 262144 },
      codecServer: { tokens: [], origins: [] },
    });
  });

  it('reads sizes with units, and "off", as the environment gives them', () => {
    const cfg = payloadsConfigSchema.parse({ codec: { compressAbove: '16KiB' }, claimCheck: { above: 'off' } });
    expect(cfg.codec.compressAbove).toBe(16384);
    expect(cfg.claimCheck.above).toBe(false);
  });

  it('reports a size it cannot read at its path', () => {
    const result = payloadsConfigSchema.safeParse({ claimCheck: { above: 'lots' } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['claimCheck', 'above'], message: 'expected a byte size such as 4096, 4KiB or 1MiB, or "off"; got "lots"' });
  });

  it('reports a bad key at its path with what is wrong, without echoing the key', () => {
    const short = randomBytes(16).toString('base64');
    const result = payloadsConfigSchema.safeParse({ codec: { key: `k1:${short}` } });
    expect(result.error!.issues[0]).toMatchObject({ path: ['codec', 'key'], message: expect.stringContaining('decodes to 16 bytes') });
    expect(result.error!.issues[0]!.message).not.toContain(short);
  });

  it('maps each environment variable to a path of the section', () => {
    expect(Object.values(PAYLOAD_ENV_VARS).every((v) => v.path.startsWith('payloads.'))).toBe(true);
    expect(PAYLOAD_ENV_VARS.WEFT_BLOB_STORE_URL).toEqual({ path: 'payloads.claimCheck.store' });
  });
});

describe('createPayloadSupport', () => {
  it('builds a converter with the codec, and the claim check in <dataDir>/blobs by default', () => {
    const support = createPayloadSupport(payloadsConfigSchema.parse({}), { dataDir: '/tmp/weft-data' });
    expect(support.dataConverter.payloadCodecs).toEqual([support.codec]);
    expect(support.codec).toBeInstanceOf(WeftCodec);
    expect((support.blobStore as FileBlobStore).dir).toBe('/tmp/weft-data/blobs');
    expect(support.activityInterceptors).toHaveLength(1);
  });

  it('adds no interceptor and no store when the claim check is off', () => {
    const support = createPayloadSupport(payloadsConfigSchema.parse({ claimCheck: { above: 'off' } }), { dataDir: '.' });
    expect(support.blobStore).toBeUndefined();
    expect(support.activityInterceptors).toEqual([]);
  });

  it('encrypts with the configured key under its id, and keeps old keys for decoding', async () => {
    const oldKey = randomBytes(32);
    const old = new WeftCodec({ encryptionKey: oldKey });
    const [before] = await old.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }]);
    const cfg = payloadsConfigSchema.parse({ codec: { key: `k2:${randomBytes(32).toString('hex')}`, decryptKeys: [oldKey.toString('base64')] } });
    const { codec } = createPayloadSupport(cfg, { dataDir: '.' });
    expect(codec.encryptionKeyId).toBe('k2');
    expect(old.encryptionKeyId).toBe(keyFingerprint(oldKey));
    const [decoded] = await codec.decode([before!]);
    expect(Buffer.from(decoded!.data!).toString()).toBe('1');
  });
});
