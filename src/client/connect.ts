/**
 * A Temporal Client as configured, with Weft's payload codec: what every
 * caller of Temporal needs, and nothing a start needs (no DAG code), so
 * commands that only read runs connect through this alone.
 */
import type { Client, ConnectionLike } from '@temporalio/client';
import type { WeftConfig } from '../config/schema';
import { codecOptionsFromConfig } from '../payloads/config';
import { weftDataConverter } from '../payloads/data-converter';
import { connectClient } from './connection';

/** `connection`: share one already open (a worker's NativeConnection, for eager start) instead of opening one. */
export async function connectTemporal(config: WeftConfig, connection?: ConnectionLike): Promise<Client> {
  // The same codec as the workers, so results and inputs read back decoded.
  return connectClient(config.temporal, { dataConverter: weftDataConverter(codecOptionsFromConfig(config.payloads)), ...(connection ? { connection } : {}) });
}
