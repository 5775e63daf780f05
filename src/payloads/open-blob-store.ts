/**
 * Opens the blob store a URL names:
 * - unset: files under `<dataDir>/blobs`
 * - `file:<dir>` (`file:///abs`, `file:/abs` or `file:relative`)
 * - `s3://<bucket>[/<prefix>][?region=…&endpoint=http://host:9000&pathStyle=true]`,
 *   with the region from `region=`, AWS_REGION or AWS_DEFAULT_REGION, and
 *   credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN
 *   in `env` when set, else the AWS SDK's default chain (profiles, IRSA,
 *   ECS task and EC2 instance roles).
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
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
    if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
      throw new PayloadOptionError(option, `"${url}": set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (to use a profile or an instance role)`);
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
        // Keys in `env` are passed on, so a caller's env (not only process.env) is honoured; without them the SDK looks further.
        ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
      });
    } catch (err) {
      if (err instanceof PayloadOptionError) throw new PayloadOptionError(option, `${err.option} ${err.reason}`);
      throw err;
    }
  }
  throw new PayloadOptionError(option, `"${url}" is not a blob store URL; use file:<dir> or s3://<bucket>[/<prefix>]`);
}
