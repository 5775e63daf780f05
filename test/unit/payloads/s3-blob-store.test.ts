/**
 * The S3 blob store's requests: addresses, methods, signed headers, and how
 * answers map to results. There is no S3 here, so fetch is a recorder; the
 * signature itself is checked against AWS's vectors in sigv4.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BlobNotFoundError, openBlobStore, S3BlobStore, S3RequestError } from '../../../src/payloads';
import { sha256Hex } from '../../../src/payloads/sigv4';
import { rejectionOf } from './support';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

function recorder(answer: (req: Sent) => Response = () => new Response('', { status: 200 })): { sent: Sent[]; fetch: typeof fetch } {
  const sent: Sent[] = [];
  // The store calls fetch(url string, init) with plain-object headers and a Uint8Array body.
  const fake = async (url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array }): Promise<Response> => {
    const req: Sent = { url, method: init.method, headers: init.headers, ...(init.body ? { body: init.body } : {}) };
    sent.push(req);
    return answer(req);
  };
  return { sent, fetch: fake as unknown as typeof fetch };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('S3BlobStore', () => {
  it('puts to the virtual-hosted AWS address, signing the body hash', async () => {
    const r = recorder();
    const store = new S3BlobStore({ bucket: 'weft-blobs', region: 'eu-west-1', prefix: 'prod/', credentials, fetch: r.fetch });
    const ref = await store.put('sha256/ab/abc', Buffer.from('hello'));
    expect(ref).toEqual({ store: 's3://weft-blobs/prod', key: 'sha256/ab/abc' });
    const [req] = r.sent;
    expect(req!.method).toBe('PUT');
    expect(req!.url).toBe('https://weft-blobs.s3.eu-west-1.amazonaws.com/prod/sha256/ab/abc');
    expect(req!.headers['x-amz-content-sha256']).toBe(sha256Hex('hello'));
    expect(req!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it('uses path-style addresses on a custom endpoint', async () => {
    const r = recorder(() => new Response('data'));
    const store = new S3BlobStore({ bucket: 'weft', endpoint: 'http://127.0.0.1:9000', credentials, fetch: r.fetch });
    expect(Buffer.from(await store.get({ store: store.id, key: 'k' })).toString()).toBe('data');
    expect(r.sent[0]!.url).toBe('http://127.0.0.1:9000/weft/k');
  });

  it('throws BlobNotFoundError on 404', async () => {
    const r = recorder(() => new Response('<Error><Code>NoSuchKey</Code></Error>', { status: 404 }));
    const store = new S3BlobStore({ bucket: 'weft', credentials, fetch: r.fetch });
    expect(await rejectionOf(store.get({ store: store.id, key: 'k' }))).toBeInstanceOf(BlobNotFoundError);
  });

  it('throws S3RequestError with the S3 error code on other failures', async () => {
    const r = recorder(() => new Response('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>', { status: 403 }));
    const store = new S3BlobStore({ bucket: 'weft', credentials, fetch: r.fetch });
    const err = await rejectionOf(store.put('k', Buffer.from('x')));
    expect(err).toBeInstanceOf(S3RequestError);
    expect(err).toMatchObject({ status: 403, s3Code: 'AccessDenied' });
    expect((err as Error).message).toBe('S3 PUT https://weft.s3.us-east-1.amazonaws.com/k failed with 403 AccessDenied: Access Denied');
  });

  it('treats deleting a missing object as done', async () => {
    const r = recorder(() => new Response('', { status: 404 }));
    await new S3BlobStore({ bucket: 'weft', credentials, fetch: r.fetch }).delete({ store: 's3://weft', key: 'k' });
    expect(r.sent[0]!.method).toBe('DELETE');
  });

  it('is opened from an s3:// URL with credentials and region from the environment', async () => {
    const r = recorder();
    const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 'tok', AWS_REGION: 'ap-south-1' };
    const store = openBlobStore('s3://weft/blobs?endpoint=http://minio:9000', { dataDir: '.', env, fetch: r.fetch });
    await store.put('k', Buffer.from('x'));
    expect(store.id).toBe('s3://weft/blobs');
    expect(r.sent[0]!.url).toBe('http://minio:9000/weft/blobs/k');
    expect(r.sent[0]!.headers['x-amz-security-token']).toBe('tok');
    expect(r.sent[0]!.headers.authorization).toContain('/ap-south-1/s3/aws4_request');
  });
});
