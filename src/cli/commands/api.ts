/**
 * `weft api`: serve the HTTP API (src/api) over a WeftClient, until Ctrl-C
 * or SIGTERM. It refuses to start without a token unless --insecure-no-auth.
 */
import type { Command } from 'commander';
import { ApiAuthConfigError, apiAuthFromConfig, startApiServer } from '../../api/main';
import { createWeftClient } from '../../client';
import { TemporalUnavailableError } from '../../client/connection';
import { createLogger } from '../../common/logger';
import { loadConfig } from '../../config/load';
import { CliError, EXIT, cliError } from '../exit-codes';
import { portOption } from '../options';

interface ApiFlags {
  port?: number;
  host?: string;
  insecureNoAuth?: boolean;
  config?: string;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

export function registerApi(program: Command): void {
  program
    .command('api')
    .description('Serve the Weft HTTP API (/v1); needs WEFT_API_TOKEN unless --insecure-no-auth')
    .option('--port <port>', 'port to listen on (env WEFT_API_PORT, default 8080)', portOption('--port'))
    .option('--host <host>', 'address to listen on (env WEFT_API_HOST, default 127.0.0.1)')
    .option('--insecure-no-auth', 'serve without auth: anyone who can reach the port can start and cancel runs (local use only)')
    .option('--config <file>', 'config file (default weft.config.yaml|json if present)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ WEFT_API_TOKEN=$(openssl rand -hex 32) weft api --port 8080\n  $ weft api --insecure-no-auth   # local only\n\n' +
        'Routes are listed at /openapi.json; /healthz, /readyz and /metrics need no token.\n',
    )
    .action(async (flags: ApiFlags) => {
      process.exitCode = await runApi(flags);
    });
}

async function runApi(flags: ApiFlags): Promise<number> {
  const config = loadConfig({
    file: flags.config,
    overrides: {
      api: {
        ...(flags.port !== undefined ? { port: flags.port } : {}),
        ...(flags.host !== undefined ? { host: flags.host } : {}),
        ...(flags.insecureNoAuth ? { insecureNoAuth: true } : {}),
      },
    },
    overrideSources: { 'api.port': '--port', 'api.host': '--host', 'api.insecureNoAuth': '--insecure-no-auth' },
  });
  try {
    apiAuthFromConfig(config.api);
  } catch (err) {
    if (err instanceof ApiAuthConfigError) throw cliError(err, `weft api: ${err.message}`);
    throw err;
  }
  const logger = createLogger(config.log, 'weft-api');

  let weft;
  try {
    weft = await createWeftClient({ config });
  } catch (err) {
    if (err instanceof TemporalUnavailableError) throw cliError(err);
    throw err;
  }

  let server;
  try {
    server = await startApiServer(config, weft, logger);
  } catch (err) {
    await weft.temporal.connection.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`${config.api.host}:${config.api.port} is in use; choose another port with --port or WEFT_API_PORT`, EXIT.FAILURE);
    }
    throw err;
  }

  say(`weft api listening on ${server.url}`);
  say(`  Temporal  ${config.temporal.address} (namespace ${config.temporal.namespace}), task queue "${config.taskQueue}", DAGs ${config.dagsDir}`);
  say(
    server.insecure
      ? '  Auth      OFF (--insecure-no-auth): anyone who can reach this port can start and cancel runs'
      : `  Auth      bearer token (${config.api.tokens.length} configured)`,
  );
  const starts = config.api.starts;
  say(`  Starts    at most ${starts.maxInFlight} in flight to Temporal, ${starts.maxQueued} waiting up to ${starts.maxQueueWaitMs} ms; more get 503 overloaded (api.starts)`);
  say(`  OpenAPI   ${server.url}/openapi.json`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  say(`weft api: ${signal} received, finishing requests in flight…`);
  await server.close();
  await weft.temporal.connection.close();
  say('weft api: stopped.');
  return EXIT.OK;
}
