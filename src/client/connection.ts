/**
 * The only place a Temporal Client is built. Everything else (API, CLI,
 * users' handlers) goes through WeftClient.
 */
import { Client, Connection, type ConnectionLike, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { WeftConfig } from '../config/schema';
import { tlsOptions } from '../config/tls';
import { tracingClientInterceptors } from '../telemetry/client';

export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
  constructor(
    readonly address: string,
    override readonly cause: unknown,
  ) {
    super(`Temporal is not reachable at ${address}: ${cause instanceof Error ? cause.message : String(cause)}. Is it running? (weft dev starts one; TEMPORAL_ADDRESS points elsewhere)`);
  }
}

/**
 * What both a client Connection and a worker's NativeConnection need from the
 * `temporal` settings (which load.ts has already merged from flags, TEMPORAL_*
 * env, the config file and the Temporal CLI's profile).
 */
export function connectionOptions(temporal: WeftConfig['temporal']): Pick<ConnectionOptions, 'address' | 'apiKey' | 'tls' | 'metadata'> {
  return {
    address: temporal.address,
    ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
    ...(temporal.tls ? { tls: tlsOptions(temporal.tls) } : {}),
    ...(Object.keys(temporal.grpcMeta).length > 0 ? { metadata: { ...temporal.grpcMeta } } : {}),
  };
}

/**
 * A Client on `connection` when given (a worker's NativeConnection, which is
 * what eager workflow start needs: WeftClientOptions.eagerStart), else on a
 * connection of its own.
 */
export async function connectClient(temporal: WeftConfig['temporal'], opts: { connectTimeoutMs?: number; dataConverter?: DataConverter; connection?: ConnectionLike } = {}): Promise<Client> {
  let connection: ConnectionLike;
  try {
    connection = opts.connection ?? (await Connection.connect({ ...connectionOptions(temporal), connectTimeout: opts.connectTimeoutMs ?? 5000 }));
  } catch (err) {
    throw new TemporalUnavailableError(temporal.address, err);
  }
  const interceptors = tracingClientInterceptors();
  return new Client({ connection, namespace: temporal.namespace, ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}), ...(interceptors ? { interceptors } : {}) });
}
