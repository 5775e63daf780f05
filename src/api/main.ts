/**
 * Runs the HTTP API where the config says: `weft api` calls this, and
 * `weft dev` can run it in its own process with `startApiServer`.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../common/logger';
import type { WeftClient } from '../client/weft-client';
import type { WeftConfig } from '../config/schema';
import { buildApi, type BuildApiOptions } from './app';
import { ApiAuthConfigError, type ApiAuth } from './auth';

export { ApiAuthConfigError };

/** Auth from `api.tokens` / `api.insecureNoAuth`; throws ApiAuthConfigError when there is neither. */
export function apiAuthFromConfig(api: WeftConfig['api']): ApiAuth {
  if (api.insecureNoAuth) return { insecureNoAuth: true };
  if (api.tokens.length === 0) throw new ApiAuthConfigError();
  return { tokens: api.tokens };
}

export interface ApiServer {
  app: FastifyInstance;
  /** Where it listens, as bound: `http://0.0.0.0:8080` when asked for every interface, `http://[::1]:8080` for IPv6. */
  url: string;
  /** Auth is off (`api.insecureNoAuth`). */
  insecure: boolean;
  /** Stops listening, ends event streams and waits for requests in flight. Does not close the WeftClient. */
  close(): Promise<void>;
}

/**
 * Connections the kernel may queue for the API before it accepts them. Node's
 * default (511) overflows in a burst of 1,000 concurrent requests, and the
 * overflow surfaces as connection resets, an answer a client cannot interpret.
 * Linux caps it at net.core.somaxconn.
 */
export const API_LISTEN_BACKLOG = 4096;

/** Builds the API for this config and listens on `api.host`:`api.port`. */
export async function startApiServer(
  config: WeftConfig,
  weft: WeftClient,
  logger?: Logger,
  opts: Omit<BuildApiOptions, 'weft' | 'auth' | 'logger'> = {},
): Promise<ApiServer> {
  const auth = apiAuthFromConfig(config.api);
  const app = buildApi({ starts: config.api.starts, ...opts, weft, auth, ...(logger ? { logger } : {}) });
  await app.listen({ port: config.api.port, host: config.api.host, backlog: API_LISTEN_BACKLOG });
  return { app, url: boundUrl(app), insecure: 'insecureNoAuth' in auth, close: () => app.close() };
}

/**
 * The address the server is bound to. Fastify's listen() answers with the
 * first local address it finds (127.0.0.1 even when bound to 0.0.0.0), which
 * would tell an operator the API is not reachable from outside when it is.
 */
export function boundUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`the API is not listening on a TCP port (address: ${String(address)})`);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
