/** `createWeftClient`: connects as configured and returns a WeftClient; src/client/index.ts re-exports it. */
import type { ConnectionLike } from '@temporalio/client';
import { loadConfig, type LoadConfigOptions } from '../config/load';
import type { WeftConfig } from '../config/schema';
import { connectTemporal } from './connect';
import { WeftClient, type WeftClientOptions } from './weft-client';

/**
 * Connects to Temporal as configured and returns a WeftClient for the configured task queue and DAGs folder.
 * `connection`: a worker's NativeConnection to share; then `client.eagerStart` can hand runs straight to that worker.
 */
export async function createWeftClient(opts: { config?: WeftConfig; load?: LoadConfigOptions; client?: WeftClientOptions; connection?: ConnectionLike } = {}): Promise<WeftClient> {
  const config = opts.config ?? loadConfig(opts.load);
  // The configured shard count applies unless the caller's own jobs options say otherwise.
  return new WeftClient(await connectTemporal(config, opts.connection), { taskQueue: config.taskQueue, dagsDir: config.dagsDir, ...opts.client, jobs: { shards: config.jobs.shards, ...opts.client?.jobs } });
}
