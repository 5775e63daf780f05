/**
 * WeftCodec: the PayloadCodec of every Weft worker and client. It gzips
 * payloads above a size, and encrypts every payload with AES-256-GCM when a
 * key is configured. Its payloads carry encodings of its own, so payloads it
 * did not write pass through decode untouched, and decode undoes exactly the
 * layers encode added.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PAYLOAD_DECODE_ERRORS, PayloadDecodeError, PayloadOptionError } from './errors';
import { frame, FrameError, unframe } from './frame';
import { checkKeyId, keyFingerprint, Keyring, parseKey, type KeyMaterial, type NamedKey } from './keys';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Metadata `encoding` values WeftCodec writes; nothing else is touched by decode. */
export const WEFT_ENCODINGS = {
  gzip: 'binary/weft-gzip',
  aes256gcm: 'binary/weft-aes256gcm',
} as const;

/** Metadata key holding the id of the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'weft-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface WeftCodecOptions {
  /**
   * Gzip payloads whose data is larger than this many bytes; `false` turns
   * compression off. A payload that does not shrink is kept as it was.
   * @defaultValue 4096 (4 KiB)
   */
  compressAboveBytes?: number | false;
  /**
   * Encrypt every payload with AES-256-GCM under this 32-byte key: 64 hex
   * characters, base64, or bytes. Without it, payloads are not encrypted.
   * @defaultValue undefined (no encryption)
   */
  encryptionKey?: KeyMaterial;
  /**
   * Id of `encryptionKey`, written into each payload's metadata so decode can
   * pick the key after a rotation.
   * @defaultValue a fingerprint of the key (16 hex characters)
   */
  encryptionKeyId?: string;
  /**
   * Keys decode may also use: earlier keys after a rotation. A map of key id →
   * key, or a list of keys whose ids are their fingerprints (which is what
   * encode wrote when `encryptionKeyId` was not set).
   * @defaultValue none
   */
  decryptionKeys?: Record<string, KeyMaterial> | readonly KeyMaterial[];
  /**
   * Decode refuses to inflate a payload past this size, so a hostile body
   * sent to the codec server cannot exhaust memory.
   * @defaultValue 268435456 (256 MiB)
   */
  maxDecompressedBytes?: number;
}

const DEFAULT_COMPRESS_ABOVE = 4096;
const DEFAULT_MAX_DECOMPRESSED = 256 * 1024 * 1024;

function metadataString(payload: Payload, key: string): string | undefined {
  const v = payload.metadata?.[key];
  return v ? Buffer.from(v).toString('utf8') : undefined;
}

function checkSize(value: unknown, option: string, allowFalse: boolean): number | false {
  if (allowFalse && value === false) return false;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new PayloadOptionError(option, `expected an integer >= 0${allowFalse ? ' or false' : ''}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

function buildKeyring(opts: WeftCodecOptions): Keyring {
  let current: NamedKey | undefined;
  if (opts.encryptionKey !== undefined) {
    const key = parseKey(opts.encryptionKey, 'encryptionKey');
    current = { id: opts.encryptionKeyId !== undefined ? checkKeyId(opts.encryptionKeyId, 'encryptionKeyId') : keyFingerprint(key), key };
  } else if (opts.encryptionKeyId !== undefined) {
    throw new PayloadOptionError('encryptionKeyId', 'is set but encryptionKey is not; give the key too');
  }
  const others: NamedKey[] = [];
  const dk = opts.decryptionKeys;
  if (Array.isArray(dk)) {
    (dk as readonly KeyMaterial[]).forEach((k, i) => {
      const key = parseKey(k, `decryptionKeys[${i}]`);
      others.push({ id: keyFingerprint(key), key });
    });
  } else if (dk) {
    for (const [id, k] of Object.entries(dk as Record<string, KeyMaterial>)) {
      others.push({ id: checkKeyId(id, `decryptionKeys.${id}`), key: parseKey(k, `decryptionKeys.${id}`) });
    }
  }
  return new Keyring(current, others);
}

export class WeftCodec implements PayloadCodec {
  readonly compressAboveBytes: number | false;
  readonly maxDecompressedBytes: number;
  private readonly keys: Keyring;

  constructor(options: WeftCodecOptions = {}) {
    this.compressAboveBytes = checkSize(options.compressAboveBytes ?? DEFAULT_COMPRESS_ABOVE, 'compressAboveBytes', true);
    this.maxDecompressedBytes = checkSize(options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED, 'maxDecompressedBytes', false) as number;
    this.keys = buildKeyring(options);
  }

  /** Id of the key encode uses, or undefined when encode does not encrypt. */
  get encryptionKeyId(): string | undefined {
    return this.keys.current?.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.encodeOne(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.decodeOne(p)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    let out = payload;
    const size = payload.data?.length ?? 0;
    if (this.compressAboveBytes !== false && size > this.compressAboveBytes) {
      const framed = frame(payload);
      const compressed = await gzipAsync(framed);
      // Random or already-compressed data grows under gzip; keep it as it was.
      if (compressed.length < framed.length) out = { metadata: { encoding: Buffer.from(WEFT_ENCODINGS.gzip) }, data: compressed };
    }
    const current = this.keys.current;
    if (current) out = encrypt(out, current);
    return out;
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    let out = payload;
    if (metadataString(out, 'encoding') === WEFT_ENCODINGS.aes256gcm) out = this.decrypt(out);
    if (metadataString(out, 'encoding') === WEFT_ENCODINGS.gzip) out = await this.decompress(out);
    return out;
  }

  private decrypt(payload: Payload): Payload {
    const encoding = WEFT_ENCODINGS.aes256gcm;
    const keyId = metadataString(payload, KEY_ID_METADATA) ?? '';
    if (this.keys.size === 0) {
      throw new PayloadDecodeError(
        PAYLOAD_DECODE_ERRORS.noKey,
        encoding,
        `Cannot decrypt a payload encrypted with key id "${keyId}": no encryption key is configured (WEFT_CODEC_KEY, or WEFT_CODEC_DECRYPT_KEYS for old keys)`,
        keyId,
      );
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecodeError(
        PAYLOAD_DECODE_ERRORS.unknownKeyId,
        encoding,
        `Cannot decrypt a payload encrypted with key id "${keyId}": that key is not configured (known ids: ${this.keys.ids().join(', ')}). ` +
          'After a rotation, keep the old key in WEFT_CODEC_DECRYPT_KEYS (decryptionKeys).',
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecodeError(PAYLOAD_DECODE_ERRORS.corrupt, encoding, `Encrypted payload (key id "${keyId}") is ${data.length} bytes, too short to hold an IV and a tag`, keyId);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(keyId));
    decipher.setAuthTag(tag);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecodeError(
        PAYLOAD_DECODE_ERRORS.authenticationFailed,
        encoding,
        `Encrypted payload failed authentication with key id "${keyId}": its ciphertext or key id was altered, or it was encrypted with a different key under the same id`,
        keyId,
      );
    }
    return this.unframe(plain, encoding, keyId);
  }

  private async decompress(payload: Payload): Promise<Payload> {
    const encoding = WEFT_ENCODINGS.gzip;
    let inflated: Buffer;
    try {
      inflated = await gunzipAsync(payload.data ?? new Uint8Array(), { maxOutputLength: this.maxDecompressedBytes });
    } catch (err) {
      const tooLarge = err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new PayloadDecodeError(
        tooLarge ? PAYLOAD_DECODE_ERRORS.tooLarge : PAYLOAD_DECODE_ERRORS.corrupt,
        encoding,
        tooLarge
          ? `Compressed payload inflates past maxDecompressedBytes (${this.maxDecompressedBytes} bytes)`
          : `Compressed payload is not valid gzip: ${(err as Error).message}`,
      );
    }
    return this.unframe(inflated, encoding);
  }

  private unframe(bytes: Uint8Array, encoding: string, keyId?: string): Payload {
    try {
      return unframe(bytes);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      throw new PayloadDecodeError(PAYLOAD_DECODE_ERRORS.corrupt, encoding, `Payload with encoding ${encoding} holds no valid Weft frame: ${err.message}`, keyId);
    }
  }
}

/** Binds the encoding and key id to the ciphertext, so neither can be swapped undetected. */
function aad(keyId: string): Buffer {
  return Buffer.from(`${WEFT_ENCODINGS.aes256gcm};${keyId}`, 'utf8');
}

function encrypt(payload: Payload, { id, key }: NamedKey): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(id));
  const body = Buffer.concat([cipher.update(frame(payload)), cipher.final()]);
  return {
    metadata: { encoding: Buffer.from(WEFT_ENCODINGS.aes256gcm), [KEY_ID_METADATA]: Buffer.from(id) },
    data: Buffer.concat([iv, body, cipher.getAuthTag()]),
  };
}
