/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, R2, …) through the AWS
 * SDK. Credentials come from the SDK's default chain unless given: the
 * environment, shared config and SSO profiles, web identity (EKS IRSA), ECS
 * task roles and EC2 instance roles, so a worker on AWS needs no keys in its
 * configuration. With a custom endpoint, objects are addressed in path style
 * (`endpoint/bucket/key`), which S3-compatible servers expect.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { checkBlobKey, type BlobRef, type BlobStore } from './blob-store';
import { BlobNotFoundError, PayloadOptionError, S3RequestError } from './errors';

export interface S3BlobStoreOptions {
  bucket: string;
  /** @defaultValue us-east-1 */
  region?: string;
  /** For S3-compatible services, e.g. `http://127.0.0.1:9000`. @defaultValue AWS's endpoint for the region */
  endpoint?: string;
  /** Prepended to every key, e.g. `weft/`. @defaultValue '' */
  prefix?: string;
  /** @defaultValue true when `endpoint` is set, else false */
  forcePathStyle?: boolean;
  /** Static credentials, or a provider. @defaultValue the AWS SDK's default credential chain */
  credentials?: S3ClientConfig['credentials'];
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function checkEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new PayloadOptionError('endpoint', `"${endpoint}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PayloadOptionError('endpoint', `"${endpoint}" must be http(s)`);
  return u.origin;
}

export class S3BlobStore implements BlobStore {
  readonly id: string;
  readonly region: string;
  readonly description: string;
  private readonly prefix: string;
  private readonly client: S3Client;

  constructor(private readonly opts: S3BlobStoreOptions) {
    if (!BUCKET.test(opts.bucket)) throw new PayloadOptionError('bucket', `"${opts.bucket}" is not a valid S3 bucket name`);
    this.region = opts.region ?? 'us-east-1';
    this.prefix = opts.prefix ?? '';
    if (this.prefix && !/^[A-Za-z0-9._/-]*\/$/.test(this.prefix)) throw new PayloadOptionError('prefix', `"${this.prefix}" must be safe characters ending in '/'`);
    const endpoint = opts.endpoint === undefined ? undefined : checkEndpoint(opts.endpoint);
    this.id = `s3://${opts.bucket}${this.prefix ? `/${this.prefix.replace(/\/$/, '')}` : ''}`;
    this.description = `${this.id} (${endpoint ?? `AWS ${this.region}`})`;
    this.client = new S3Client({
      region: this.region,
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: opts.forcePathStyle ?? endpoint !== undefined,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      // The claim check verifies each blob's size and sha256 itself; extra CRC
      // checksums only shut out S3-compatible servers that do not know them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private location(key: string): string {
    return `s3://${this.opts.bucket}/${this.prefix}${key}`;
  }

  private objectKey(key: string): string {
    return `${this.prefix}${checkBlobKey(key)}`;
  }

  /** One shape for every failure: the operation, the object, S3's status and error code. */
  private failure(method: string, key: string, err: unknown): Error {
    if (err instanceof S3ServiceException) {
      return new S3RequestError(method, this.location(key), err.$metadata.httpStatusCode, err.name, err.message);
    }
    // No status means the request never got an answer: no credentials, DNS, refused connection.
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new S3RequestError(method, this.location(key), undefined, undefined, reason);
  }

  async put(key: string, bytes: Uint8Array): Promise<BlobRef> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key, Body: bytes, ContentType: 'application/octet-stream' }));
    } catch (err) {
      throw this.failure('PUT', key, err);
    }
    return { store: this.id, key };
  }

  async get(ref: BlobRef): Promise<Uint8Array> {
    const Key = this.objectKey(ref.key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key }));
      if (!res.Body) throw new Error('the answer had no body');
      return await res.Body.transformToByteArray();
    } catch (err) {
      // A missing bucket is a misconfiguration, not a missing blob, so it stays an S3RequestError.
      if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || (err.$metadata.httpStatusCode === 404 && err.name !== 'NoSuchBucket'))) {
        throw new BlobNotFoundError(this.id, ref.key);
      }
      throw this.failure('GET', ref.key, err);
    }
  }

  /** S3 answers 204 for a missing key too, so deleting twice is not an error. */
  async delete(ref: BlobRef): Promise<void> {
    const Key = this.objectKey(ref.key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key }));
    } catch (err) {
      throw this.failure('DELETE', ref.key, err);
    }
  }

  /** Closes the SDK's connection pool. */
  destroy(): void {
    this.client.destroy();
  }
}
