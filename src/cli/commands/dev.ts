/**
 * `weft dev`: everything local in one process tree. An embedded Temporal dev
 * server (SQLite under the data dir, so runs survive a restart), its UI, and
 * a worker. Ctrl-C stops all of it; no child process is left behind.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { createLogger, LOG_FORMATS, type LogFormat } from '../../common/logger';
import { startEmbeddedTemporal } from '../../temporal/embedded';
import { installRuntime } from '../../workers/runtime';
import { connectWorker, createWeftWorker } from '../../workers/worker';
import { discoverActivityModules } from '../../workers/discover';
import { createWeftClient } from '../../client';
import { startApiServer } from '../../api/main';
import { WeftSchedules } from '../../client/schedules';
import { createPayloadSupport } from '../../payloads/support';
import { startCodecServer } from '../../payloads/codec-server';
import { choiceOption, portOption } from '../options';
import { EXIT } from '../exit-codes';
import { activeTracing } from '../../telemetry/tracing';

interface DevFlags {
  dataDir?: string;
  temporalPort?: number;
  uiPort?: number;
  ui: boolean;
  apiPort?: number;
  config?: string;
  logFormat?: LogFormat;
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('Run Weft locally: an embedded Temporal dev server, its UI and a worker')
    .option('--data-dir <dir>', 'where Temporal keeps its SQLite file (env WEFT_DATA_DIR)', undefined)
    .option('--temporal-port <port>', 'gRPC port of the embedded Temporal (default 7233, or the port of TEMPORAL_ADDRESS)', portOption('--temporal-port'))
    .option('--ui-port <port>', 'port of the Temporal UI (default 8233)', portOption('--ui-port'))
    .option('--no-ui', 'run Temporal without its UI')
    .option('--api-port <port>', 'port of the Weft HTTP API (env WEFT_API_PORT, default 8080)', portOption('--api-port'))
    .option('--config <file>', 'config file (default weft.config.yaml|json if present)')
    .option('--log-format <format>', 'pretty (one line per event; the default on a TTY) or json (the default otherwise; env WEFT_LOG_FORMAT)', choiceOption('--log-format', LOG_FORMATS))
    .addHelpText('after', '\nExamples:\n  $ weft dev\n  $ weft dev --data-dir /tmp/weft --temporal-port 7300 --ui-port 8300\n')
    .action(async (flags: DevFlags) => {
      process.exitCode = await runDev(flags);
    });
}

async function runDev(flags: DevFlags): Promise<number> {
  const config = loadConfig({
    file: flags.config,
    overrides: {
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      api: { ...(flags.apiPort ? { port: flags.apiPort } : {}), insecureNoAuth: true },
      ...(flags.logFormat ? { log: { format: flags.logFormat } } : {}),
    },
    overrideSources: { dataDir: '--data-dir', 'api.port': '--api-port', 'log.format': '--log-format' },
  });
  const logger = createLogger(config.log, 'weft-dev');
  // The worker runs in this process, so the API's /metrics shows its metrics and the SDK's.
  await installRuntime({ logger });

  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const envPort = Number(config.temporal.address.split(':').pop());
  const temporalPort = flags.temporalPort ?? (Number.isInteger(envPort) ? envPort : 7233);
  const uiPort = flags.ui ? (flags.uiPort ?? 8233) : false;

  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  say('weft dev: starting an embedded Temporal dev server and a worker');
  // The UI decodes compressed or encrypted payloads through this endpoint, on loopback.
  const payloads = createPayloadSupport(config.payloads, { dataDir });
  const codecServer =
    uiPort === false
      ? undefined
      : await startCodecServer({
          port: config.payloads.codecServer.port ?? uiPort + 1,
          codec: payloads.codec,
          allowedOrigins: config.payloads.codecServer.origins.length ? config.payloads.codecServer.origins : [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
        });
  const temporal = await startEmbeddedTemporal({
    dataDir,
    port: temporalPort,
    uiPort,
    progress: (m) => say(`  ${m}`),
    ...(codecServer ? { uiCodecEndpoint: codecServer.url } : {}),
    onLog: (line) => logger.debug({ component: 'temporal-server' }, line),
  });

  const discovered = discoverActivityModules(config.dagsDir).filter((m) => !config.activityModules.includes(m));
  const devConfig = {
    ...config,
    dataDir,
    activityModules: [...config.activityModules, ...discovered],
    // The embedded server is local and plain: a Temporal CLI profile that points at Temporal
    // Cloud must not send its API key, TLS or metadata here.
    temporal: { ...config.temporal, address: temporal.address, apiKey: undefined, tls: false, grpcMeta: {} },
  };
  let stopping = false;
  // Example activities read WEFT_DATA_DIR (the outage switch of the walk-through).
  process.env.WEFT_DATA_DIR = dataDir;
  // The console links each run to the Temporal UI (src/api/console.ts).
  if (temporal.uiAddress) process.env.WEFT_TEMPORAL_UI_URL ??= temporal.uiAddress;
  // One NativeConnection for the worker and the client, so starts are eager: the server hands a run's
  // first workflow task straight back to this worker instead of through matching (docs/dev-server.md).
  const connection = await connectWorker(devConfig.temporal);
  const weftWorker = await createWeftWorker({ config: devConfig, logger, payloads, connection });
  const { worker } = weftWorker;
  const weft = await createWeftClient({ config: devConfig, connection, client: { activities: weftWorker.registry.names(), activityHeartbeats: weftWorker.registry.heartbeatTimeouts(), eagerStart: true } });
  const api = await startApiServer(devConfig, weft, logger);
  const schedulesFile = [join(config.dagsDir, 'schedules.yaml'), 'schedules.yaml'].find((f) => existsSync(f));
  let schedulesLine = 'none (add schedules.yaml to the DAGs folder)';
  if (schedulesFile) {
    const applied = await new WeftSchedules(weft).apply(schedulesFile);
    const c = applied.counts;
    schedulesLine = `${schedulesFile}: ${Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'no changes'}`;
  }

  say('');
  say(`  Temporal     ${temporal.address}  (namespace ${temporal.namespace}; ${temporal.version}; ready in ${temporal.startupMs} ms)`);
  say(`  Data         ${dataDir}/temporal.db (kept across restarts)`);
  if (temporal.uiAddress) say(`  Temporal UI  ${temporal.uiAddress}`);
  if (codecServer) say(`  Codec        ${codecServer.url}  (the UI decodes payloads through it)`);
  say(`  Worker       task queue "${devConfig.taskQueue}"; activities: ${weftWorker.registry.names().join(', ')}`);
  say(`  DAGs         ${resolve(config.dagsDir)}${discovered.length ? ` (activities from ${discovered.join(', ')})` : ''}`);
  say(`  Schedules    ${schedulesLine}`);
  say(`  API          ${api.url}/v1  (auth off in weft dev; weft api requires WEFT_API_TOKEN)`);
  say(`  Metrics      ${api.url}/metrics  (API, worker and Temporal SDK)${activeTracing() ? '; tracing on (OTEL_*)' : ''}`);
  say(`  Console      ${api.url}/ui/  (runs, live DAG graphs, approvals)`);
  say('');
  say(`weft dev is ready. Try: ${temporalPort === 7233 ? '' : `TEMPORAL_ADDRESS=${temporal.address} `}./bin/weft runs start image-pipeline --input '{"uploadId":"u1"}' --wait`);
  say('Press Ctrl-C to stop.');

  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say(`\nweft dev: ${signal} received, stopping the worker and Temporal…`);
    worker.shutdown();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    await worker.run();
  } finally {
    await api.close();
    await weftWorker.close();
    // Shared by the worker and the client; closed once the worker has stopped.
    await connection.close();
    await temporal.stop();
    await codecServer?.close();
  }
  say('weft dev: stopped.');
  return stopping ? EXIT.OK : EXIT.FAILURE;
}
