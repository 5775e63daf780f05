/**
 * A Temporal Client as configured, with Weft's payload codec: what every
 * caller of Temporal needs, and nothing a start needs (no DAG code), so
 * commands that only read runs connect through this alone.
 */
import type { Client } from '@temporalio/client';
import type { WeftConfig } from '../config/schema';
import { codecOptionsFromConfig } from '../payloads/config';
import { weftDataConverter } from '../payloads/data-converter';
import { connectClient } from './connection';

export async function connectTemporal(config: WeftConfig): Promise<Client> {
  // The same codec as the workers, so results and inputs read back decoded.
  return connectClient(config.temporal, { dataConverter: weftDataConverter(codecOptionsFromConfig(config.payloads)) });
}
