/**
 * The only place a Temporal Client is built. Everything else (API, CLI,
 * users' handlers) goes through WeftClient.
 */
import { Client, Connection } from '@temporalio/client';
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

export async function connectClient(temporal: WeftConfig['temporal'], opts: { connectTimeoutMs?: number; dataConverter?: DataConverter } = {}): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: temporal.address,
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      ...(temporal.apiKey ? { apiKey: temporal.apiKey } : {}),
      ...(temporal.tls ? { tls: tlsOptions(temporal.tls) } : {}),
    });
  } catch (err) {
    throw new TemporalUnavailableError(temporal.address, err);
  }
  const interceptors = tracingClientInterceptors();
  return new Client({ connection, namespace: temporal.namespace, ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}), ...(interceptors ? { interceptors } : {}) });
}
