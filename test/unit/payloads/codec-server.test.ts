/** The remote codec endpoint, over real HTTP on 127.0.0.1. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecHandler, startCodecServer, WEFT_ENCODINGS, WeftCodec, type CodecServer } from '../../../src/payloads';
import { payloadsFromJson, payloadsToJson } from '../../../src/payloads/codec-server';
import { compressible, jsonPayload, newKey, plain, valueOf } from './support';

const UI = 'http://localhost:8233';
const TOKEN = 'codec-token-0123456789';
const codec = new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'k1' });

let open: CodecServer;
let authed: CodecServer;
beforeAll(async () => {
  open = await startCodecServer({ port: 0, codec });
  authed = await startCodecServer({ port: 0, codec, tokens: [TOKEN], allowedOrigins: ['https://temporal.example.com'] });
});
afterAll(async () => {
  await open?.close();
  await authed?.close();
});

function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('POST /encode and /decode', () => {
  it('encodes payloads with the codec, in the proto3 JSON shape', async () => {
    const res = await post(open.url, '/encode', payloadsToJson([jsonPayload({ a: 1 })]));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const [encoded] = payloadsFromJson(await res.json());
    expect(Buffer.from(encoded!.metadata!.encoding!).toString()).toBe(WEFT_ENCODINGS.aes256gcm);
    expect(valueOf((await codec.decode([encoded!]))[0]!)).toEqual({ a: 1 });
  });

  it('decodes what the codec encoded back to the original payloads', async () => {
    const originals = [jsonPayload({ a: 1 }), jsonPayload(compressible(20_000)), jsonPayload(null)];
    const res = await post(open.url, '/decode', payloadsToJson(await codec.encode(originals)));
    expect(res.status).toBe(200);
    expect(payloadsFromJson(await res.json()).map(plain)).toEqual(originals.map(plain));
  });

  it('answers at any prefix, matching only the last path segment', async () => {
    const res = await post(open.url, '/default/codec/decode?x=1', { payloads: [] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [] });
  });

  it('answers 400 with the codec error when a payload cannot be decoded', async () => {
    const [encoded] = await new WeftCodec({ encryptionKey: newKey(), encryptionKeyId: 'other' }).encode([jsonPayload(1)]);
    const res = await post(open.url, '/decode', payloadsToJson([encoded!]));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'unknown_key_id' } });
  });

  it('answers 400 naming the path of a payload that is not base64', async () => {
    const res = await post(open.url, '/decode', { payloads: [{ metadata: { encoding: 'not base64!' }, data: '' }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_payloads', message: 'payloads[0].metadata.encoding must be a base64 string' } });
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await post(open.url, '/decode', '{nope');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers 404 to other paths and 405 to other methods', async () => {
    expect((await post(open.url, '/other', {})).status).toBe(404);
    const get = await fetch(`${open.url}/decode`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('answers 413 to a body over the limit', async () => {
    const small = await startCodecServer({ port: 0, codec, maxBodyBytes: 1000 });
    try {
      expect((await post(small.url, '/decode', { payloads: [], pad: 'x'.repeat(2000) })).status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('CORS', () => {
  it('answers a preflight from the UI origin with the methods and headers the UI sends', async () => {
    const res = await fetch(`${open.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, X-Namespace');
  });

  it('allows the UI origin on the actual request', async () => {
    const res = await post(open.url, '/decode', { payloads: [] }, { origin: UI, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('refuses a preflight from an origin that is not allowed', async () => {
    const res = await fetch(`${open.url}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight without a token even when auth is on', async () => {
    const res = await fetch(`${authed.url}/encode`, { method: 'OPTIONS', headers: { origin: 'https://temporal.example.com', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
  });
});

describe('bearer auth', () => {
  it('refuses a request without a token with 401 and WWW-Authenticate', async () => {
    const res = await post(authed.url, '/decode', { payloads: [] });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a wrong token', async () => {
    expect((await post(authed.url, '/decode', { payloads: [] }, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
  });

  it('accepts a configured token', async () => {
    expect((await post(authed.url, '/decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('createCodecHandler', () => {
  it('can be mounted in another node:http server', async () => {
    const handler = createCodecHandler({ codec });
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/codec/')) return void handler(req, res);
      res.writeHead(200).end('app');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const [encoded] = await codec.encode([jsonPayload('mounted')]);
      const res = await post(base, '/codec/decode', payloadsToJson([encoded!]));
      expect(valueOf(payloadsFromJson(await res.json())[0]!)).toBe('mounted');
      expect(await (await fetch(`${base}/other`)).text()).toBe('app');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
