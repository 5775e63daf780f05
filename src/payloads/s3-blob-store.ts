/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, R2, …) over plain fetch,
 * signed with SigV4. With a custom endpoint, objects are addressed in path
 * style (`endpoint/bucket/key`); on AWS, virtual-hosted style.
 */
import { checkBlobKey, type BlobRef, type BlobStore } from './blob-store';
import { BlobNotFoundError, PayloadOptionError, S3RequestError } from './errors';
import { sha256Hex, signRequest, uriEncode, type SigV4Credentials } from './sigv4';

export interface S3BlobStoreOptions {
  bucket: string;
  /** @defaultValue us-east-1 */
  region?: string;
  /** For S3-compatible services, e.g. `http://127.0.0.1:9000`. @defaultValue AWS: `https://<bucket>.s3.<region>.amazonaws.com` */
  endpoint?: string;
  /** Prepended to every key, e.g. `weft/`. @defaultValue '' */
  prefix?: string;
  /** @defaultValue true when `endpoint` is set, else false */
  forcePathStyle?: boolean;
  credentials: SigV4Credentials;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class S3BlobStore implements BlobStore {
  readonly id: string;
  readonly region: string;
  private readonly base: string;
  private readonly pathStyle: boolean;
  private readonly prefix: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: S3BlobStoreOptions) {
    if (!BUCKET.test(opts.bucket)) throw new PayloadOptionError('bucket', `"${opts.bucket}" is not a valid S3 bucket name`);
    if (!opts.credentials?.accessKeyId || !opts.credentials.secretAccessKey) {
      throw new PayloadOptionError('credentials', 'the S3 blob store needs an access key id and a secret access key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
    }
    this.region = opts.region ?? 'us-east-1';
    this.prefix = opts.prefix ?? '';
    if (this.prefix && !/^[A-Za-z0-9._/-]*\/$/.test(this.prefix)) throw new PayloadOptionError('prefix', `"${this.prefix}" must be safe characters ending in '/'`);
    this.pathStyle = opts.forcePathStyle ?? opts.endpoint !== undefined;
    if (opts.endpoint !== undefined) {
      let u: URL;
      try {
        u = new URL(opts.endpoint);
      } catch {
        throw new PayloadOptionError('endpoint', `"${opts.endpoint}" is not a URL`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PayloadOptionError('endpoint', `"${opts.endpoint}" must be http(s)`);
      this.base = u.origin;
    } else {
      this.base = this.pathStyle ? `https://s3.${this.region}.amazonaws.com` : `https://${opts.bucket}.s3.${this.region}.amazonaws.com`;
    }
    this.id = `s3://${opts.bucket}${this.prefix ? `/${this.prefix.replace(/\/$/, '')}` : ''}`;
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  get description(): string {
    return `${this.id} (${this.base})`;
  }

  /** URL of the object holding `key`. */
  urlOf(key: string): string {
    const path = `${this.prefix}${checkBlobKey(key)}`.split('/').map(uriEncode).join('/');
    return this.pathStyle ? `${this.base}/${this.opts.bucket}/${path}` : `${this.base}/${path}`;
  }

  private async send(method: string, key: string, body?: Uint8Array): Promise<Response> {
    const url = this.urlOf(key);
    const signed = signRequest({
      method,
      url,
      payloadSha256: body ? sha256Hex(body) : undefined,
      headers: body ? { 'content-type': 'application/octet-stream' } : {},
      region: this.region,
      service: 's3',
      credentials: this.opts.credentials,
    });
    return this.fetch(url, { method, headers: signed.headers, ...(body ? { body } : {}) });
  }

  private async failure(method: string, key: string, res: Response): Promise<S3RequestError> {
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? '';
    return new S3RequestError(method, this.urlOf(key), res.status, code, message);
  }

  async put(key: string, bytes: Uint8Array): Promise<BlobRef> {
    const res = await this.send('PUT', key, bytes);
    if (!res.ok) throw await this.failure('PUT', key, res);
    await res.arrayBuffer();
    return { store: this.id, key };
  }

  async get(ref: BlobRef): Promise<Uint8Array> {
    const res = await this.send('GET', ref.key);
    if (res.status === 404) {
      await res.arrayBuffer();
      throw new BlobNotFoundError(this.id, ref.key);
    }
    if (!res.ok) throw await this.failure('GET', ref.key, res);
    return new Uint8Array(await res.arrayBuffer());
  }

  async delete(ref: BlobRef): Promise<void> {
    const res = await this.send('DELETE', ref.key);
    if (!res.ok && res.status !== 404) throw await this.failure('DELETE', ref.key, res);
    await res.arrayBuffer();
  }
}
