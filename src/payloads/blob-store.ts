/**
 * Where the claim check keeps large values: a tiny interface with a local
 * filesystem implementation (the default) and an S3-compatible one.
 */
import { PayloadOptionError } from './errors';

/** Where a blob lives. `store` is the id of the store that wrote it. */
export interface BlobRef {
  store: string;
  key: string;
}

export interface BlobStore {
  /** Identifies the store inside references, e.g. `file` or `s3://bucket/prefix`. */
  readonly id: string;
  /** Human-readable location, for logs. */
  readonly description: string;
  /** Stores `bytes` under `key`, replacing what was there, and returns the reference. */
  put(key: string, bytes: Uint8Array): Promise<BlobRef>;
  /** The bytes under `ref.key`. Throws BlobNotFoundError when there are none. */
  get(ref: BlobRef): Promise<Uint8Array>;
  /** Removes the blob; removing a missing blob is not an error. */
  delete(ref: BlobRef): Promise<void>;
}

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Keys are relative paths of safe characters, so no store can be walked out of. */
export function checkBlobKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512 || !KEY.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
    throw new PayloadOptionError('blob key', `"${String(key)}" must be 1–512 characters of letters, digits, '.', '_', '-' in '/'-separated segments, without '.' or '..' segments`);
  }
  return key;
}
