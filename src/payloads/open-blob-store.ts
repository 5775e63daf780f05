/**
 * Opens the blob store a URL names:
 * - unset: files under `<dataDir>/blobs`
 * - `file:<dir>` (`file:///abs`, `file:/abs` or `file:relative`)
 * - `s3://<bucket>[/<prefix>][?region=…&endpoint=http://host:9000&pathStyle=true]`,
 *   with credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *   AWS_SESSION_TOKEN, and the region from `region=`, AWS_REGION or AWS_DEFAULT_REGION.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store';
import { PayloadOptionError } from './errors';
import { FileBlobStore } from './file-blob-store';
import { S3BlobStore } from './s3-blob-store';

export interface OpenBlobStoreOptions {
  /** Where the default file store lives (`<dataDir>/blobs`). */
  dataDir: string;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Name of the setting in error messages. @defaultValue WEFT_BLOB_STORE_URL */
  option?: string;
  /** For tests of the S3 store. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export function openBlobStore(url: string | undefined, opts: OpenBlobStoreOptions): BlobStore {
  const option = opts.option ?? 'WEFT_BLOB_STORE_URL';
  const env = opts.env ?? process.env;
  if (url === undefined || url === '') return new FileBlobStore(join(opts.dataDir, 'blobs'));
  if (url.startsWith('file:')) {
    const rest = url.slice('file:'.length);
    if (rest === '') throw new PayloadOptionError(option, `"${url}" names no directory; use file:<dir>`);
    return new FileBlobStore(rest.startsWith('//') ? fileURLToPath(url) : resolve(rest));
  }
  if (url.startsWith('s3://')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new PayloadOptionError(option, `"${url}" is not a valid URL`);
    }
    const prefix = u.pathname.replace(/^\/+/, '');
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new PayloadOptionError(option, `"${url}" needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    }
    const endpoint = u.searchParams.get('endpoint') ?? undefined;
    const pathStyle = u.searchParams.get('pathStyle');
    for (const name of u.searchParams.keys()) {
      if (!['region', 'endpoint', 'pathStyle'].includes(name)) throw new PayloadOptionError(option, `unknown parameter "${name}" in "${url}" (known: region, endpoint, pathStyle)`);
    }
    try {
      return new S3BlobStore({
        bucket: u.hostname,
        region: u.searchParams.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
        ...(endpoint ? { endpoint } : {}),
        ...(prefix ? { prefix: prefix.endsWith('/') ? prefix : `${prefix}/` } : {}),
        ...(pathStyle !== null ? { forcePathStyle: pathStyle === 'true' } : {}),
        credentials: { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) },
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      });
    } catch (err) {
      if (err instanceof PayloadOptionError) throw new PayloadOptionError(option, `${err.option} ${err.reason}`);
      throw err;
    }
  }
  throw new PayloadOptionError(option, `"${url}" is not a blob store URL; use file:<dir> or s3://<bucket>[/<prefix>]`);
}
