/** WeftCodec: what it compresses, what it encrypts, what it leaves alone, and how decode fails. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Payload } from '@temporalio/common';
import { KEY_ID_METADATA, PayloadDecodeError, WEFT_ENCODINGS, WeftCodec, keyFingerprint } from '../../../src/payloads';
import { compressible, encodingOf, jsonPayload, newKey, plain, rejectionOf, valueOf } from './support';

async function roundTrip(codec: WeftCodec, payload: Payload): Promise<{ encoded: Payload; decoded: Payload }> {
  const [encoded] = await codec.encode([payload]);
  const [decoded] = await codec.decode([encoded!]);
  return { encoded: encoded!, decoded: decoded! };
}

describe('compression', () => {
  it('gzips a payload above the threshold, smaller, under its own encoding', async () => {
    const original = jsonPayload(compressible(64 * 1024));
    const { encoded } = await roundTrip(new WeftCodec(), original);
    expect(encodingOf(encoded)).toBe(WEFT_ENCODINGS.gzip);
    expect(encoded.data!.length).toBeLessThan(original.data!.length / 10);
  });

  it('decodes a compressed payload to exactly the original metadata and data', async () => {
    const original = jsonPayload(compressible(64 * 1024));
    const { decoded } = await roundTrip(new WeftCodec(), original);
    expect(plain(decoded)).toEqual(plain(original));
  });

  it('leaves a payload at or below the threshold untouched', async () => {
    const original = jsonPayload({ small: 'x'.repeat(100) });
    const [encoded] = await new WeftCodec({ compressAboveBytes: 4096 }).encode([original]);
    expect(encoded).toBe(original);
  });

  it('compresses payloads above a threshold that is configured', async () => {
    const original = jsonPayload(compressible(2000));
    const [encoded] = await new WeftCodec({ compressAboveBytes: 1024 }).encode([original]);
    expect(encodingOf(encoded!)).toBe(WEFT_ENCODINGS.gzip);
  });

  it('keeps a payload that gzip would not shrink as it was', async () => {
    const original: Payload = { metadata: { encoding: Buffer.from('binary/plain') }, data: randomBytes(64 * 1024) };
    const [encoded] = await new WeftCodec().encode([original]);
    expect(encoded).toBe(original);
  });

  it('does not compress at all when compressAboveBytes is false', async () => {
    const original = jsonPayload(compressible(64 * 1024));
    const [encoded] = await new WeftCodec({ compressAboveBytes: false }).encode([original]);
    expect(encoded).toBe(original);
  });

  it('refuses to inflate a payload past maxDecompressedBytes', async () => {
    const [encoded] = await new WeftCodec().encode([jsonPayload(compressible(256 * 1024))]);
    const err = await rejectionOf(new WeftCodec({ maxDecompressedBytes: 64 * 1024 }).decode([encoded!]));
    expect(err).toBeInstanceOf(PayloadDecodeError);
    expect((err as PayloadDecodeError).code).toBe('too_large');
  });
});

describe('payloads the codec did not write', () => {
  it('pass through decode untouched', async () => {
    const foreign: Payload[] = [
      jsonPayload({ a: 1 }),
      { metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from('theirs') }, data: randomBytes(100) },
      { metadata: { encoding: Buffer.from('binary/null') }, data: new Uint8Array() },
    ];
    const decoded = await new WeftCodec({ encryptionKey: newKey() }).decode(foreign);
    decoded.forEach((p, i) => expect(p).toBe(foreign[i]));
  });
});

describe('encryption', () => {
  it('encrypts every payload, even a small one, under its own encoding and key id', async () => {
    const codec = new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'k2025' });
    const original = jsonPayload({ secret: 'card 4242' });
    const { encoded, decoded } = await roundTrip(codec, original);
    expect(encodingOf(encoded)).toBe(WEFT_ENCODINGS.aes256gcm);
    expect(Buffer.from(encoded.metadata![KEY_ID_METADATA]!).toString()).toBe('k2025');
    expect(Buffer.from(encoded.data!).includes('card 4242')).toBe(false);
    expect(valueOf(decoded)).toEqual({ secret: 'card 4242' });
  });

  it('compresses before it encrypts, and decode undoes both', async () => {
    const codec = new WeftCodec({ encryptionKey: newKey() });
    const original = jsonPayload(compressible(64 * 1024));
    const { encoded, decoded } = await roundTrip(codec, original);
    expect(encoded.data!.length).toBeLessThan(original.data!.length / 10);
    expect(plain(decoded)).toEqual(plain(original));
  });

  it('uses a fingerprint of the key as its id when none is given', async () => {
    const key = newKey();
    const [encoded] = await new WeftCodec({ encryptionKey: key }).encode([jsonPayload(1)]);
    expect(Buffer.from(encoded!.metadata![KEY_ID_METADATA]!).toString()).toBe(keyFingerprint(Buffer.from(key, 'base64')));
  });

  it('accepts a key given as 64 hex characters', async () => {
    const hex = randomBytes(32).toString('hex');
    const { decoded } = await roundTrip(new WeftCodec({ encryptionKey: hex }), jsonPayload('x'));
    expect(valueOf(decoded)).toBe('x');
  });

  it('fails to decode tampered ciphertext, saying authentication failed for which key id', async () => {
    const codec = new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'k1' });
    const [encoded] = await codec.encode([jsonPayload({ amount: 100 })]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0x01;
    const err = await rejectionOf(codec.decode([{ ...encoded!, data }]));
    expect(err).toBeInstanceOf(PayloadDecodeError);
    expect(err).toMatchObject({ code: 'authentication_failed', keyId: 'k1' });
    expect((err as Error).message).toMatch(/failed authentication with key id "k1"/);
  });

  it('fails to decode a payload whose key id was swapped for another known id', async () => {
    const key = newKey();
    const codec = new WeftCodec({ encryptionKey: key, encryptionKeyId: 'a', decryptionKeys: { b: key } });
    const [encoded] = await codec.encode([jsonPayload(1)]);
    const swapped = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    expect(await rejectionOf(codec.decode([swapped]))).toMatchObject({ code: 'authentication_failed' });
  });

  it('names an unknown key id and the ids it knows', async () => {
    const [encoded] = await new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'old' }).encode([jsonPayload(1)]);
    const err = await rejectionOf(new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'new' }).decode([encoded!]));
    expect(err).toMatchObject({ code: 'unknown_key_id', keyId: 'old' });
    expect((err as Error).message).toContain('key id "old"');
    expect((err as Error).message).toContain('known ids: new');
  });

  it('says no key is configured when an encrypted payload reaches a codec without keys', async () => {
    const [encoded] = await new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'k1' }).encode([jsonPayload(1)]);
    const err = await rejectionOf(new WeftCodec().decode([encoded!]));
    expect(err).toMatchObject({ code: 'no_key' });
    expect((err as Error).message).toContain('WEFT_CODEC_KEY');
  });
});

describe('key rotation', () => {
  it('decodes payloads written under the old key id with the old key kept for decryption', async () => {
    const oldKey = newKey();
    const [before] = await new WeftCodec({ encryptionKey: oldKey, encryptionKeyId: '2024' }).encode([jsonPayload({ v: 'old' })]);
    const rotated = new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: '2025', decryptionKeys: { '2024': oldKey } });
    const [after] = await rotated.encode([jsonPayload({ v: 'new' })]);
    expect(Buffer.from(after!.metadata![KEY_ID_METADATA]!).toString()).toBe('2025');
    expect((await rotated.decode([before!, after!])).map(valueOf)).toEqual([{ v: 'old' }, { v: 'new' }]);
  });

  it('decodes with an old key listed without an id, matched by its fingerprint', async () => {
    const oldKey = newKey();
    const [before] = await new WeftCodec({ encryptionKey: oldKey }).encode([jsonPayload('old')]);
    const [decoded] = await new WeftCodec({ encryptionKey: newKey(), decryptionKeys: [oldKey] }).decode([before!]);
    expect(valueOf(decoded!)).toBe('old');
  });

  it('still decodes compressed-only payloads after encryption is turned on', async () => {
    const original = jsonPayload(compressible(64 * 1024));
    const [before] = await new WeftCodec().encode([original]);
    const [decoded] = await new WeftCodec({ encryptionKey: newKey() }).decode([before!]);
    expect(plain(decoded!)).toEqual(plain(original));
  });
});
