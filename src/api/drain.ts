/**
 * A prompt, graceful close(): requests in flight finish, event streams end,
 * new requests get 503 in the API's error shape, and connections that carry
 * no request are dropped. Without that, a connection that becomes idle after
 * close() began (an event stream that just ended), or a client's spare
 * connection that never sent a request, holds close() for about a minute.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError, ERROR_CODES } from './errors';

export function installDrain(app: FastifyInstance, streams: Set<{ stop(): void }>): void {
  const active = new Map<Socket, number>();
  let closing = false;

  app.server.on('connection', (socket: Socket) => {
    active.set(socket, 0);
    socket.once('close', () => active.delete(socket));
  });

  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket;
    // Only sockets of the server's own connections (not inject()'s stand-ins) are tracked.
    if (active.has(socket)) {
      active.set(socket, active.get(socket)! + 1);
      reply.raw.once('close', () => {
        if (!active.has(socket)) return;
        const left = Math.max(0, active.get(socket)! - 1);
        active.set(socket, left);
        // Once closing, a connection is not kept alive after its last response (server.close() only reaps sockets idle when it is called).
        if (closing && left === 0) socket.end();
      });
    }
    if (closing) {
      const err = new ApiError(503, ERROR_CODES.SHUTTING_DOWN, 'the API is shutting down; retry on another instance');
      return reply.code(503).headers(err.headers).header('connection', 'close').send(err.toBody());
    }
    return undefined;
  });

  app.addHook('preClose', async () => {
    closing = true;
    // Event streams never end on their own while a run is open.
    for (const s of streams) s.stop();
    for (const [socket, requests] of active) if (requests === 0) socket.destroy();
  });
}
