/**
 * AWS Signature Version 4 for request headers, with node:crypto only, so the
 * S3 blob store needs no SDK. Follows the AWS general reference ("Create a
 * signed AWS API request") and, for service `s3`, S3's variant: paths are
 * encoded once, and `x-amz-content-sha256` is sent and signed.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials; sent as `x-amz-security-token`. */
  sessionToken?: string;
}

export interface SignRequestInput {
  method: string;
  url: URL | string;
  /** Headers to send and sign, besides `host`, `x-amz-date` and (for s3) `x-amz-content-sha256`. */
  headers?: Record<string, string>;
  /** Hex sha256 of the body. @defaultValue the hash of an empty body */
  payloadSha256?: string;
  region: string;
  service: string;
  credentials: SigV4Credentials;
  /** @defaultValue the current time */
  now?: Date;
}

export interface SignedRequest {
  /** Headers to send with the request (lower-case names; `host` is left to fetch, which derives the same value). */
  headers: Record<string, string>;
  authorization: string;
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters is %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `YYYYMMDD'T'HHMMSS'Z'`. */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function signingKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, dateStamp), region), service), 'aws4_request');
}

function canonicalPath(url: URL, service: string): string {
  const segments = url.pathname.split('/').map((s) => uriEncode(decodeURIComponent(s)));
  // Every service but S3 encodes each segment a second time.
  const encoded = service === 's3' ? segments : segments.map(uriEncode);
  return encoded.join('/') || '/';
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function signRequest(input: SignRequestInput): SignedRequest {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const date = amzDate(input.now ?? new Date());
  const dateStamp = date.slice(0, 8);
  const payloadSha256 = input.payloadSha256 ?? EMPTY_SHA256;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value.trim().replace(/\s+/g, ' ');
  headers['x-amz-date'] = date;
  if (input.service === 's3') headers['x-amz-content-sha256'] = payloadSha256;
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const signed: Record<string, string> = { ...headers, host: url.host };
  const names = Object.keys(signed).sort();
  const signedHeaders = names.join(';');

  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(url, input.service),
    canonicalQuery(url),
    names.map((n) => `${n}:${signed[n]}\n`).join(''),
    signedHeaders,
    payloadSha256,
  ].join('\n');
  const scope = `${dateStamp}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(input.credentials.secretAccessKey, dateStamp, input.region, input.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers: { ...headers, authorization }, authorization, signature, canonicalRequest, stringToSign, signedHeaders };
}
