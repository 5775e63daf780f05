/**
 * Errors of the payload layer. Each names what is wrong and what to change.
 * Inside an activity, the Weft interceptor turns them into ApplicationFailures
 * whose `type` is the class name, so DAGs can match on it.
 */

/** A payload option (codec, key, claim check, codec server) has a bad value. Thrown at construction. */
export class PayloadOptionError extends Error {
  override readonly name = 'PayloadOptionError';
  constructor(
    /** The option as the user knows it: `encryptionKey`, or `WEFT_CODEC_KEY` when it came from the environment. */
    readonly option: string,
    readonly reason: string,
  ) {
    super(`Invalid ${option}: ${reason}`);
  }
}

export const PAYLOAD_DECODE_ERRORS = {
  /** The payload is encrypted, but this codec was given no key at all. */
  noKey: 'no_key',
  /** The payload names a key id that is not in the keyring. */
  unknownKeyId: 'unknown_key_id',
  /** AES-GCM authentication failed: the ciphertext or its key id was altered, or the key is not the one used. */
  authenticationFailed: 'authentication_failed',
  /** The bytes inside a Weft payload are not a frame this codec wrote. */
  corrupt: 'corrupt',
  /** The decompressed payload would be larger than `maxDecompressedBytes`. */
  tooLarge: 'too_large',
} as const;

export type PayloadDecodeErrorCode = (typeof PAYLOAD_DECODE_ERRORS)[keyof typeof PAYLOAD_DECODE_ERRORS];

/** A payload with one of Weft's encodings cannot be decoded. */
export class PayloadDecodeError extends Error {
  override readonly name = 'PayloadDecodeError';
  constructor(
    readonly code: PayloadDecodeErrorCode,
    /** Metadata `encoding` of the payload that failed. */
    readonly encoding: string,
    message: string,
    /** Key id written in the payload, when it has one. */
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/** A claim-check reference points at a blob its store does not have. */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(
    readonly store: string,
    readonly key: string,
    hint = '',
  ) {
    super(`Blob "${key}" is not in the ${store} blob store${hint ? `. ${hint}` : ''}`);
  }
}

/** A reference names another store than the one this process is configured with. */
export class BlobStoreMismatchError extends Error {
  override readonly name = 'BlobStoreMismatchError';
  constructor(
    readonly refStore: string,
    readonly configuredStore: string,
    readonly key: string,
  ) {
    super(
      `Blob "${key}" was stored in "${refStore}", but this process uses the blob store "${configuredStore}". ` +
        'Every worker must use the same store (WEFT_BLOB_STORE_URL).',
    );
  }
}

/** A restored blob does not have the size or sha256 its reference records. */
export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
  constructor(
    readonly store: string,
    readonly key: string,
    readonly expected: { size: number; sha256: string },
    readonly actual: { size: number; sha256: string },
  ) {
    super(
      `Blob "${key}" in the ${store} blob store is corrupt: expected ${expected.size} bytes with sha256 ${expected.sha256}, ` +
        `got ${actual.size} bytes with sha256 ${actual.sha256}`,
    );
  }
}

/** A request to the S3-compatible service failed: an error answer, or no answer at all. */
export class S3RequestError extends Error {
  override readonly name = 'S3RequestError';
  constructor(
    readonly method: string,
    /** The object, as `s3://bucket/key`. */
    readonly url: string,
    /** HTTP status of the answer; undefined when there was none (no credentials, connection refused). */
    readonly status: number | undefined,
    /** S3's error code (`AccessDenied`, `NoSuchBucket`, …), when there is one. */
    readonly s3Code: string | undefined,
    detail: string,
  ) {
    super(`S3 ${method} ${url} failed${status !== undefined ? ` with ${status}` : ''}${s3Code ? ` ${s3Code}` : ''}${detail ? `: ${detail}` : ''}`);
  }
}
