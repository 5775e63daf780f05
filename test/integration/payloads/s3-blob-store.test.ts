/**
 * The S3 blob store against a real S3-compatible server (MinIO, started here),
 * through the AWS SDK: round trips, prefixes, missing objects, S3's errors,
 * and credentials from the SDK's default chain.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { BlobNotFoundError, openBlobStore, restore, offload, S3BlobStore, S3RequestError, type BlobStore } from '../../../src/payloads';
import { MINIO_CREDENTIALS, requireMinio, startMinio, type MinioServer } from './minio';

let minio: MinioServer;
beforeAll(async () => {
  minio = await startMinio(await requireMinio((line) => console.log(`[weft:test] ${line}`)));
}, 30 * 60_000); // a first run on a fresh machine builds MinIO
afterAll(async () => minio?.stop());

/** A fresh bucket per test, so tests never see each other's objects. */
async function bucket(): Promise<string> {
  const name = `weft-${randomUUID().slice(0, 8)}`;
  await minio.createBucket(name);
  return name;
}

function store(opts: Partial<ConstructorParameters<typeof S3BlobStore>[0]> & { bucket: string }): S3BlobStore {
  const s = new S3BlobStore({ endpoint: minio.endpoint, credentials: MINIO_CREDENTIALS, ...opts });
  onTestFinished(() => s.destroy());
  return s;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('S3BlobStore on MinIO', () => {
  it('puts and gets bytes intact, and the reference names the bucket and prefix', async () => {
    const s = store({ bucket: await bucket(), prefix: 'prod/' });
    const bytes = randomBytes(1024 * 1024 + 7);
    const ref = await s.put('sha256/ab/abc', bytes);
    expect(ref).toEqual({ store: s.id, key: 'sha256/ab/abc' });
    expect(s.id).toMatch(/^s3:\/\/weft-[0-9a-f]{8}\/prod$/);
    expect(Buffer.from(await s.get(ref)).equals(bytes)).toBe(true);
  });

  it('stores each blob under the prefix in the bucket', async () => {
    const name = await bucket();
    await store({ bucket: name, prefix: 'weft/blobs/' }).put('k1', Buffer.from('hello'));
    const raw = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: MINIO_CREDENTIALS });
    onTestFinished(() => raw.destroy());
    const res = await raw.send(new GetObjectCommand({ Bucket: name, Key: 'weft/blobs/k1' }));
    expect(await res.Body!.transformToString()).toBe('hello');
  });

  it('a missing object is BlobNotFoundError', async () => {
    const s = store({ bucket: await bucket() });
    const err = await rejection(s.get({ store: s.id, key: 'never-written' }));
    expect(err).toBeInstanceOf(BlobNotFoundError);
  });

  it('delete removes the object, and deleting it again is not an error', async () => {
    const s = store({ bucket: await bucket() });
    const ref = await s.put('k', Buffer.from('x'));
    await s.delete(ref);
    await s.delete(ref);
    expect(await rejection(s.get(ref))).toBeInstanceOf(BlobNotFoundError);
  });

  it('a missing bucket is an S3RequestError naming it, not a missing blob', async () => {
    const s = store({ bucket: 'weft-no-such-bucket' });
    const err = await rejection(s.get({ store: s.id, key: 'k' }));
    expect(err).toBeInstanceOf(S3RequestError);
    expect(err).toMatchObject({ status: 404, s3Code: 'NoSuchBucket', url: 's3://weft-no-such-bucket/k' });
  });

  it('a wrong secret is an S3RequestError with S3 status and code', async () => {
    const s = store({ bucket: await bucket(), credentials: { accessKeyId: MINIO_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong-secret-key' } });
    const err = await rejection(s.put('k', Buffer.from('x')));
    expect(err).toBeInstanceOf(S3RequestError);
    expect(err).toMatchObject({ status: 403, s3Code: 'SignatureDoesNotMatch' });
    expect((err as Error).message).toMatch(/^S3 PUT s3:\/\/weft-[0-9a-f]{8}\/k failed with 403 SignatureDoesNotMatch: /);
  });

  it('the claim check offloads a large value to the bucket and restores it', async () => {
    const s = store({ bucket: await bucket(), prefix: 'claims/' });
    const value = { image: randomBytes(300 * 1024).toString('base64') };
    const ref = await offload(value, { store: s, thresholdBytes: 1024 });
    expect(ref).not.toEqual(value);
    expect(await restore(ref, s)).toEqual(value);
  });
});

describe('openBlobStore with an s3:// URL on MinIO', () => {
  const url = (b: string): string => `s3://${b}/blobs?endpoint=${minio.endpoint}`;
  const opened = (b: string, env: NodeJS.ProcessEnv): BlobStore => {
    const s = openBlobStore(url(b), { dataDir: '.', env });
    onTestFinished(() => (s as S3BlobStore).destroy());
    return s;
  };

  it('uses the keys in the given environment, in path style on a custom endpoint', async () => {
    const s = opened(await bucket(), { AWS_ACCESS_KEY_ID: MINIO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MINIO_CREDENTIALS.secretAccessKey });
    const ref = await s.put('k', Buffer.from('from env'));
    expect(Buffer.from(await s.get(ref)).toString()).toBe('from env');
  });

  it('without keys, takes credentials from the AWS default chain: here a shared credentials file and AWS_PROFILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-aws-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, `[weft-test]\naws_access_key_id = ${MINIO_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${MINIO_CREDENTIALS.secretAccessKey}\n`);
    const saved = { ...process.env };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[k];
    Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: join(dir, 'config'), AWS_PROFILE: 'weft-test', AWS_EC2_METADATA_DISABLED: 'true' });
    onTestFinished(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });
    const s = opened(await bucket(), {});
    const ref = await s.put('k', Buffer.from('from the chain'));
    expect(Buffer.from(await s.get(ref)).toString()).toBe('from the chain');
  });
});
