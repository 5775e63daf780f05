/** `createWeftClient`: connects as configured and returns a WeftClient; src/client/index.ts re-exports it. */
import { loadConfig, type LoadConfigOptions } from '../config/load';
import type { WeftConfig } from '../config/schema';
import { connectTemporal } from './connect';
import { WeftClient, type WeftClientOptions } from './weft-client';

/** Connects to Temporal as configured and returns a WeftClient for the configured task queue and DAGs folder. */
export async function createWeftClient(opts: { config?: WeftConfig; load?: LoadConfigOptions; client?: WeftClientOptions } = {}): Promise<WeftClient> {
  const config = opts.config ?? loadConfig(opts.load);
  // The configured shard count applies unless the caller's own jobs options say otherwise.
  return new WeftClient(await connectTemporal(config), { taskQueue: config.taskQueue, dagsDir: config.dagsDir, ...opts.client, jobs: { shards: config.jobs.shards, ...opts.client?.jobs } });
}
