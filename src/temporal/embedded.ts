/**
 * The embedded Temporal for `weft dev`: the Temporal CLI dev server, found or
 * built by servers.ts. Only when no CLI can be had (no Go) does it fall back to
 * the SDK's own download, which needs internet.
 */
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { resolveTemporalCli, type ProgressFn } from './servers';
import { sqlitePragmaArgs, startDevServer, WEFT_DEV_DYNAMIC_CONFIG, type DevServer } from './dev-server';
import { WEFT_SEARCH_ATTRIBUTES } from './search-attributes';

export interface EmbeddedTemporalOptions {
  dataDir: string;
  port: number;
  uiPort: number | false;
  ip?: string;
  progress?: ProgressFn;
  onLog?: (line: string) => void;
  uiCodecEndpoint?: string;
}

export async function startEmbeddedTemporal(opts: EmbeddedTemporalOptions): Promise<DevServer & { source: string }> {
  const ip = opts.ip ?? '127.0.0.1';
  const dbFilename = join(opts.dataDir, 'temporal.db');
  const cli = await resolveTemporalCli({ progress: opts.progress });
  if (cli) {
    const server = await startDevServer({ cliPath: cli.path, ip, port: opts.port, uiPort: opts.uiPort, dbFilename, onLog: opts.onLog, ...(opts.uiCodecEndpoint ? { uiCodecEndpoint: opts.uiCodecEndpoint } : {}) });
    return { ...server, source: `${cli.path} (${cli.source})` };
  }
  opts.progress?.('No Temporal CLI and no Go toolchain: falling back to the SDK download of the dev server (needs internet)');
  const started = Date.now();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip,
      port: opts.port,
      ui: opts.uiPort !== false,
      ...(opts.uiPort !== false ? { uiPort: opts.uiPort } : {}),
      dbFilename,
      searchAttributes: Object.keys(WEFT_SEARCH_ATTRIBUTES).map((name) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD)),
      extraArgs: [
        ...sqlitePragmaArgs(),
        ...Object.entries(WEFT_DEV_DYNAMIC_CONFIG).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]),
        ...(opts.uiCodecEndpoint && opts.uiPort !== false ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
      ],
    },
  });
  return {
    address: env.address,
    uiAddress: opts.uiPort !== false ? `http://${ip}:${opts.uiPort}` : undefined,
    metricsUrl: undefined,
    namespace: env.namespace ?? 'default',
    version: 'SDK-downloaded dev server',
    pid: -1,
    startupMs: Date.now() - started,
    source: 'SDK download',
    stop: () => env.teardown(),
  };
}
