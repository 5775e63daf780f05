/**
 * Starts and stops the Temporal CLI dev server (`temporal server start-dev`)
 * as a child process. `weft dev` and the test harness both use this, so the
 * tests exercise the same launch path users run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { WEFT_SEARCH_ATTRIBUTES } from './search-attributes';
import { TEMPORAL_CLI_VERSION } from './servers';

export interface DevServerOptions {
  /** Path of the Temporal CLI binary. */
  cliPath: string;
  /** @defaultValue 127.0.0.1 */
  ip?: string;
  /** gRPC port. @defaultValue a free port */
  port?: number;
  /** UI port, or `false` for a headless server. @defaultValue false */
  uiPort?: number | false;
  /** Remote codec endpoint the UI decodes payloads through. */
  uiCodecEndpoint?: string;
  /** SQLite file that keeps data across restarts; in memory when unset. */
  dbFilename?: string;
  /**
   * SQLite pragmas for the file in `dbFilename` (ignored in memory). Pass `{}`
   * for SQLite's own defaults (rollback journal, synchronous=FULL).
   * @defaultValue WEFT_DEV_SQLITE_PRAGMAS
   */
  sqlitePragmas?: Readonly<Record<string, string>>;
  /** @defaultValue default */
  namespace?: string;
  /** @defaultValue warn */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Port of the server's Prometheus `/metrics` (the CLI always serves one; it
   * picks a free port when none is given). Benchmarks read per-operation
   * persistence counts from it. @defaultValue a free port the CLI picks
   */
  metricsPort?: number;
  /** Extra dynamic config, on top of Weft's own. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Receives each line the server prints. */
  onLog?: (line: string) => void;
  /** How long to wait for the server to answer. @defaultValue 60s */
  readyTimeoutMs?: number;
}

export interface DevServer {
  readonly address: string;
  readonly uiAddress: string | undefined;
  /** `http://ip:port/metrics`, when `metricsPort` was given. */
  readonly metricsUrl: string | undefined;
  readonly namespace: string;
  readonly version: string;
  readonly pid: number;
  /** Ms from spawn to a namespace that answers. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

/**
 * Dynamic config Weft relies on. The new matcher makes task priority order
 * dispatch. Priority orders tasks within a task queue partition, so the
 * single-node dev server uses one partition per queue and the order is exact.
 *
 * The CLI turns `system.forceSearchAttributesCacheRefreshOnRead` on so that a
 * search attribute created at run time is usable at once; then every start
 * and upsert carrying search attributes re-reads the cluster metadata from
 * SQLite (16 reads per Weft run). Weft's attributes are registered with the
 * server's flags before it serves, so the 60 s cache is safe for them: off, a
 * run costs 12 persistence requests instead of 37 and about a quarter less
 * server CPU (docs/dev-server.md, BENCHMARKS.md section 14). An attribute
 * added later with `temporal operator search-attribute create` may take up to
 * a minute to be accepted.
 *
 * `history.timerProcessorMaxTimeShift` (1 s by default) is the clock skew the
 * timer queue allows between hosts; with its default a 1 ms timer fires up to
 * a second late. One host has no skew, and Weft's interpreter uses short
 * timers as workflow-task barriers (200 local starts per task, the job
 * queue's waves), so the dev server shifts timers by at most 10 ms.
 */
export const WEFT_DEV_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'matching.useNewMatcher': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'system.forceSearchAttributesCacheRefreshOnRead': false,
  'history.timerProcessorMaxTimeShift': '10ms',
};

/**
 * The durability `weft dev` chooses (docs/dev-server.md): WAL, and fsync only
 * at checkpoints. A crash of the server process loses nothing committed; a
 * power loss or OS crash may lose the last commits, never the file. SQLite's
 * default (rollback journal, fsync on every commit) made the server spend most
 * of its time in fsync: 1.2–2.1× slower on the peers benchmark's chain and
 * chord (BENCHMARKS.md, section 4).
 */
export const WEFT_DEV_SQLITE_PRAGMAS: Readonly<Record<string, string>> = {
  journal_mode: 'wal',
  synchronous: 'normal',
};

/** `--sqlite-pragma` arguments for the CLI dev server, shared with the SDK-download fallback. */
export function sqlitePragmaArgs(pragmas: Readonly<Record<string, string>> = WEFT_DEV_SQLITE_PRAGMAS): string[] {
  return Object.entries(pragmas).flatMap(([name, value]) => ['--sqlite-pragma', `${name}=${value}`]);
}

export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
  constructor(message: string, readonly output: readonly string[]) {
    super(`${message}${output.length ? `\nLast server output:\n${output.join('\n')}` : ''}`);
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function temporalCliVersion(cliPath: string): string {
  const r = spawnSync(cliPath, ['--version'], { encoding: 'utf8' });
  const version = (r.stdout || r.stderr || '').trim() || 'unknown';
  // `go install` builds carry no version stamp; the cache folder names the tag.
  return cliPath.includes(`temporal-cli-${TEMPORAL_CLI_VERSION}`) ? version.replace('0.0.0-DEV', TEMPORAL_CLI_VERSION) : version;
}

function buildArgs(opts: Required<Pick<DevServerOptions, 'ip' | 'namespace' | 'logLevel'>> & DevServerOptions, port: number): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip, '--port', String(port), '--namespace', opts.namespace, '--log-level', opts.logLevel, '--log-format', 'json'];
  if (opts.uiPort === false || opts.uiPort === undefined) args.push('--headless');
  else {
    args.push('--ui-port', String(opts.uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename, ...sqlitePragmaArgs(opts.sqlitePragmas));
  if (opts.metricsPort !== undefined) args.push('--metrics-port', String(opts.metricsPort));
  for (const [name, type] of Object.entries(WEFT_SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries({ ...WEFT_DEV_DYNAMIC_CONFIG, ...opts.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

async function waitReady(address: string, namespace: string, child: ChildProcess, timeoutMs: number, output: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new DevServerStartError(`Temporal dev server exited with code ${child.exitCode} before it was ready`, output.slice(-20));
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new DevServerStartError(`Temporal dev server at ${address} did not answer within ${timeoutMs} ms (${String(lastError)})`, output.slice(-20));
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const opts = { ip: '127.0.0.1', namespace: 'default', logLevel: 'warn' as const, ...options };
  const port = opts.port ?? (await freePort(opts.ip));
  const address = `${opts.ip}:${port}`;
  const version = temporalCliVersion(opts.cliPath);
  const started = Date.now();
  const child = spawn(opts.cliPath, buildArgs(opts, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const onData = (buf: Buffer): void => {
    for (const line of buf.toString().split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      opts.onLog?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If this process dies without calling stop(), do not leave the server behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    await waitReady(address, opts.namespace, child, opts.readyTimeoutMs ?? 60_000, output);
  } catch (err) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw err;
  }
  const startupMs = Date.now() - started;
  let stopping: Promise<void> | undefined;
  return {
    address,
    uiAddress: typeof opts.uiPort === 'number' ? `http://${opts.ip}:${opts.uiPort}` : undefined,
    metricsUrl: opts.metricsPort !== undefined ? `http://${opts.ip}:${opts.metricsPort}/metrics` : undefined,
    namespace: opts.namespace,
    version,
    pid: child.pid ?? -1,
    startupMs,
    stop(): Promise<void> {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        process.removeListener('exit', killOnExit);
      })();
      return stopping;
    },
  };
}
