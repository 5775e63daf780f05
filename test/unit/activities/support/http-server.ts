/**
 * A real HTTP server on 127.0.0.1 (random port) for the HTTP activities'
 * tests. Each test sets how it answers; every request is recorded with its
 * raw body, and `received` resolves when the next one arrives.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/items?page=2`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the client closes the connection before a response was sent (or after it was). */
  closed: Promise<void>;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: RecordedRequest[];
  /** Answers every later request this way. */
  handle(handler: Handler): void;
  /** The next request to arrive. */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
    res.end(text);
  };
}

export async function startHttpServer(): Promise<TestHttpServer> {
  let handler: Handler = reply(200, { ok: true });
  const requests: RecordedRequest[] = [];
  let waiters: Array<(req: RecordedRequest) => void> = [];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), closed };
      requests.push(recorded);
      const ready = waiters;
      waiters = [];
      for (const waiter of ready) waiter(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => {
      handler = next;
    },
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port with nothing listening on it (for connection-refused tests). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
