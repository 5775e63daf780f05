/**
 * The Temporal "remote codec" HTTP protocol over WeftCodec, so the Temporal
 * UI (`--ui-codec-endpoint`) and CLI (`--codec-endpoint`) can show Weft's
 * compressed and encrypted payloads. `POST …/encode` and `POST …/decode` take
 * and return `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`
 * (Payloads as proto3 JSON). Only the last path segment is matched, as the
 * protocol asks, so the handler can be mounted at any prefix.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { bearerMatcher } from '../common/bearer';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadDecodeError, PayloadOptionError } from './errors';

export interface CodecHandlerOptions {
  /** The codec to serve; normally the one the workers use. */
  codec: PayloadCodec;
  /**
   * Browser origins allowed to call the endpoint (CORS), such as the Temporal
   * UI's address. `'*'` allows any origin.
   * @defaultValue ['http://localhost:8233', 'http://127.0.0.1:8233'] (the dev server's UI)
   */
  allowedOrigins?: readonly string[];
  /**
   * Bearer tokens accepted in `Authorization`. When empty, no auth is asked
   * for: only do that on a loopback address.
   * @defaultValue [] (no auth)
   */
  tokens?: readonly string[];
  /**
   * Largest request body; bigger ones get 413.
   * @defaultValue 16777216 (16 MiB)
   */
  maxBodyBytes?: number;
}

/** A node:http request handler; mount it in any server, or use startCodecServer. */
export type CodecRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const DEFAULT_CODEC_ORIGINS: readonly string[] = ['http://localhost:8233', 'http://127.0.0.1:8233'];
const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(value: unknown, path: string): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw new BadRequest(400, 'invalid_payloads', `${path} must be a base64 string`);
  }
  return Buffer.from(value, 'base64');
}

/** Validates the body and turns proto3 JSON into Payload objects, naming the path of the first problem. */
export function payloadsFromJson(body: unknown): Payload[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { payloads?: unknown }).payloads)) {
    throw new BadRequest(400, 'invalid_payloads', 'the body must be an object with a "payloads" array');
  }
  return (body as { payloads: unknown[] }).payloads.map((p, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new BadRequest(400, 'invalid_payloads', `payloads[${i}] must be an object`);
    const { metadata, data } = p as JsonPayload;
    if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
      throw new BadRequest(400, 'invalid_payloads', `payloads[${i}].metadata must be an object of base64 strings`);
    }
    return {
      metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, fromBase64(v, `payloads[${i}].metadata.${k}`)])),
      data: data === undefined || data === null ? new Uint8Array() : fromBase64(data, `payloads[${i}].data`),
    };
  });
}

export function payloadsToJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BadRequest(413, 'body_too_large', `the body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BadRequest(413, 'body_too_large', `the body is over the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Returns a request handler serving `…/encode` and `…/decode` with the given codec. */
export function createCodecHandler(options: CodecHandlerOptions): CodecRequestHandler {
  const origins = new Set(options.allowedOrigins ?? DEFAULT_CODEC_ORIGINS);
  const anyOrigin = origins.has('*');
  const tokens = (options.tokens ?? []).map((t, i) => {
    if (typeof t !== 'string' || t.length < 16) throw new PayloadOptionError(`tokens[${i}]`, 'codec server tokens must be strings of at least 16 characters');
    return t;
  });
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isInteger(maxBody) || maxBody <= 0) throw new PayloadOptionError('maxBodyBytes', `expected an integer > 0, got ${String(maxBody)}`);

  // The API's check (every token compared, each in constant time); no tokens means no auth here.
  const matches = tokens.length > 0 ? bearerMatcher(tokens) : undefined;
  const authorized = (req: IncomingMessage): boolean => matches?.(req.headers.authorization) ?? true;

  return async (req, res) => {
    const origin = req.headers.origin;
    const originAllowed = origin !== undefined && (anyOrigin || origins.has(origin));
    if (originAllowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
    };
    const fail = (status: number, code: string, message: string): void => send(status, { error: { code, message } });

    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const op = path.endsWith('/encode') ? 'encode' : path.endsWith('/decode') ? 'decode' : undefined;
    if (!op) return fail(404, 'not_found', 'the codec endpoint serves POST …/encode and POST …/decode');

    if (req.method === 'OPTIONS') {
      // Preflights never carry credentials, so they are answered before auth.
      if (origin !== undefined && !originAllowed) return fail(403, 'origin_not_allowed', `origin ${origin} is not allowed; add it to the codec server's allowed origins`);
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return fail(405, 'method_not_allowed', `use POST for …/${op}`);
    }
    if (origin !== undefined && !originAllowed) return fail(403, 'origin_not_allowed', `origin ${origin} is not allowed`);
    if (!authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return fail(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required');
    }
    try {
      const text = await readBody(req, maxBody);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new BadRequest(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
      }
      const payloads = payloadsFromJson(body);
      const result = op === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      send(200, payloadsToJson(result));
    } catch (err) {
      if (err instanceof BadRequest) return fail(err.status, err.code, err.message);
      // The protocol answers 400 to a payload the codec cannot handle.
      if (err instanceof PayloadDecodeError) return fail(400, err.code, err.message);
      fail(500, 'codec_failed', err instanceof Error ? err.message : String(err));
    }
  };
}

export interface StartCodecServerOptions extends CodecHandlerOptions {
  /** 0 picks a free port. */
  port: number;
  /** @defaultValue 127.0.0.1 */
  host?: string;
}

export interface CodecServer {
  /** Base URL to give the UI (`--ui-codec-endpoint`) or CLI (`--codec-endpoint`), e.g. `http://127.0.0.1:8234`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Runs the codec endpoint on its own HTTP server. */
export async function startCodecServer(options: StartCodecServerOptions): Promise<CodecServer> {
  const host = options.host ?? '127.0.0.1';
  const handler = createCodecHandler(options);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
