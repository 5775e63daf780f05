/**
 * Using the client library from your own API handler, with nothing but
 * node:http: accept an order, start its saga as a run keyed by the caller's
 * Idempotency-Key, answer 202 at once, and let clients poll the run.
 *
 *   WEFT_DAGS_DIR=examples npx tsx examples/http-handler/server.ts
 *   curl -X POST localhost:3000/orders -H 'Idempotency-Key: order-1' \
 *        -d '{"orderId":"1","sku":"mug","quantity":1,"amountCents":900}'
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createWeftClient, RunInputError, RunNotFoundError, type WeftClient } from '../../src/client';

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : null);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.on('error', (err: Error) => reject(err));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function orderHandler(weft: WeftClient) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method === 'POST' && req.url === '/orders') {
        const key = req.headers['idempotency-key'];
        const run = await weft.startRun({ dag: 'order-saga', input: await readJson(req), ...(typeof key === 'string' ? { id: key } : {}) });
        return send(res, 202, { orderRun: run.id, duplicate: run.existing, status: `/orders/${run.id}` });
      }
      const match = /^\/orders\/([^/]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && match) {
        const run = await weft.getRun(decodeURIComponent(match[1]!));
        return send(res, 200, { state: run.status?.state ?? run.execution, result: run.result ?? null, failure: run.failure ?? null });
      }
      send(res, 404, { error: 'not found' });
    } catch (err) {
      if (err instanceof RunInputError) return send(res, 400, { error: err.message, issues: err.issues });
      if (err instanceof RunNotFoundError) return send(res, 404, { error: err.message });
      if (err instanceof SyntaxError) return send(res, 400, { error: `body is not JSON: ${err.message}` });
      send(res, 500, { error: 'internal error' });
    }
  };
}

export async function startOrderServer(weft: WeftClient, port = 3000): Promise<Server> {
  const server = createServer((req, res) => void orderHandler(weft)(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

if (require.main === module) {
  void createWeftClient().then(async (weft) => {
    const server = await startOrderServer(weft, Number(process.env.PORT ?? 3000));
    console.log(`orders API on http://127.0.0.1:${(server.address() as { port: number }).port}`);
  });
}
