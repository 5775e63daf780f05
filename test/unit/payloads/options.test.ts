/** Bad payload options fail at construction, naming the option and what is wrong with it. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  claimCheckInterceptor,
  createCodecHandler,
  FileBlobStore,
  openBlobStore,
  parseKeySpec,
  PayloadOptionError,
  S3BlobStore,
  WeftCodec,
} from '../../../src/payloads';

function optionError(fn: () => unknown): PayloadOptionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadOptionError);
    return err as PayloadOptionError;
  }
  throw new Error('expected a PayloadOptionError');
}

describe('encryption keys', () => {
  it('rejects a base64 key of the wrong length, saying how many bytes it decodes to', () => {
    const err = optionError(() => new WeftCodec({ encryptionKey: randomBytes(16).toString('base64') }));
    expect(err.option).toBe('encryptionKey');
    expect(err.message).toBe('Invalid encryptionKey: expected 32 bytes for AES-256, got base64 that decodes to 16 bytes (generate one with: openssl rand -base64 32)');
  });

  it('rejects hex of the wrong length, saying how many characters it has', () => {
    expect(optionError(() => new WeftCodec({ encryptionKey: 'ab'.repeat(16) })).reason).toBe('expected 64 hex characters (32 bytes), got 32 hex characters');
  });

  it('rejects a key that is neither hex nor base64', () => {
    expect(optionError(() => new WeftCodec({ encryptionKey: 'not a key!' })).reason).toMatch(/neither/);
  });

  it('rejects an empty key', () => {
    expect(optionError(() => new WeftCodec({ encryptionKey: '  ' })).reason).toMatch(/empty string/);
  });

  it('rejects key bytes of the wrong length', () => {
    expect(optionError(() => new WeftCodec({ encryptionKey: new Uint8Array(31) })).reason).toBe('expected 32 bytes for AES-256, got 31 bytes');
  });

  it('names the decryption key that is bad by its id', () => {
    expect(optionError(() => new WeftCodec({ decryptionKeys: { '2024': 'short' } })).option).toBe('decryptionKeys.2024');
  });

  it('names the decryption key that is bad by its position', () => {
    expect(optionError(() => new WeftCodec({ decryptionKeys: [randomBytes(32), 'short'] })).option).toBe('decryptionKeys[1]');
  });

  it('rejects a key id with characters other than letters, digits, dot, dash and underscore', () => {
    expect(optionError(() => new WeftCodec({ encryptionKey: randomBytes(32), encryptionKeyId: 'a b' })).option).toBe('encryptionKeyId');
  });

  it('rejects a key id without a key', () => {
    expect(optionError(() => new WeftCodec({ encryptionKeyId: 'k1' })).reason).toMatch(/encryptionKey is not/);
  });

  it('rejects the same key id for two different keys', () => {
    expect(optionError(() => new WeftCodec({ encryptionKey: randomBytes(32), encryptionKeyId: 'k', decryptionKeys: { k: randomBytes(32) } })).reason).toMatch(/"k" is given twice/);
  });

  it('reads the id:key form, naming the setting the spec came from', () => {
    const key = randomBytes(32);
    expect(parseKeySpec(`k2025:${key.toString('base64')}`, 'WEFT_CODEC_KEY')).toEqual({ id: 'k2025', key });
    expect(optionError(() => parseKeySpec('k2025:abc', 'WEFT_CODEC_KEY')).option).toBe('WEFT_CODEC_KEY');
  });
});

describe('sizes', () => {
  it('rejects a negative compression threshold', () => {
    expect(optionError(() => new WeftCodec({ compressAboveBytes: -1 })).message).toBe('Invalid compressAboveBytes: expected an integer >= 0 or false, got -1');
  });

  it('rejects a claim-check threshold that is not an integer', () => {
    expect(optionError(() => claimCheckInterceptor({ store: new FileBlobStore('/tmp/x'), thresholdBytes: 1.5 })).option).toBe('thresholdBytes');
  });
});

describe('blob stores', () => {
  it('rejects a URL that is neither file: nor s3:', () => {
    expect(optionError(() => openBlobStore('gs://bucket', { dataDir: '.weft' })).message).toMatch(/^Invalid WEFT_BLOB_STORE_URL: "gs:\/\/bucket" is not a blob store URL/);
  });

  it('rejects an s3 URL when the environment has an access key id without its secret', () => {
    expect(optionError(() => openBlobStore('s3://my-bucket', { dataDir: '.weft', env: { AWS_ACCESS_KEY_ID: 'a' } })).reason).toMatch(/both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither/);
  });

  it('opens an s3 URL without keys in the environment, leaving credentials to the AWS default chain (roles, IRSA)', () => {
    const store = openBlobStore('s3://my-bucket/blobs?region=eu-west-1', { dataDir: '.weft', env: {} });
    expect(store.id).toBe('s3://my-bucket/blobs');
    expect(store.description).toBe('s3://my-bucket/blobs (AWS eu-west-1)');
  });

  it('rejects an s3 endpoint that is not an http(s) URL, naming the setting', () => {
    expect(optionError(() => openBlobStore('s3://my-bucket?endpoint=ftp://host', { dataDir: '.weft', env: {} })).message).toMatch(/^Invalid WEFT_BLOB_STORE_URL: endpoint "ftp:\/\/host" must be http\(s\)/);
  });

  it('rejects unknown parameters in an s3 URL', () => {
    const env = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' };
    expect(optionError(() => openBlobStore('s3://my-bucket?regoin=eu-west-1', { dataDir: '.weft', env })).reason).toMatch(/unknown parameter "regoin"/);
  });

  it('rejects an invalid bucket name', () => {
    expect(optionError(() => new S3BlobStore({ bucket: 'My_Bucket' })).option).toBe('bucket');
  });

  it('rejects a key that could leave the store directory', async () => {
    await expect(new FileBlobStore('/tmp/x').put('../etc/passwd', new Uint8Array())).rejects.toThrow(PayloadOptionError);
  });
});

describe('codec server', () => {
  it('rejects a short token', () => {
    expect(optionError(() => createCodecHandler({ codec: new WeftCodec(), tokens: ['short'] })).option).toBe('tokens[0]');
  });
});
