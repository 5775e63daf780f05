/**
 * A real Temporal cluster on this machine: PostgreSQL (its own cluster, so
 * restarting it disturbs no other test), the schemas set up by
 * scripts/production/temporal-schema.sh, and frontend, history, matching and
 * worker as four processes run from deploy/temporal/config/production.yaml,
 * the file docker-compose.yml mounts. Each process can be killed alone.
 *
 * Every process started here records its pid under `<runDir>/pids`, so the
 * global teardown stops what test files restarted too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { DYNAMIC_CONFIG, SERVER_CONFIG, TEMPORAL_SERVICES, type TemporalService } from '../../scripts/production/topology';

export const REPO_ROOT = join(__dirname, '..', '..');
export const SERVICES = TEMPORAL_SERVICES;
export type Service = TemporalService;
/** Weft's own database (idempotency store, outbox) on the layer's PostgreSQL. */
export const WEFT_DB = 'weft_production';

/** What the global setup hands the test files (plain JSON). */
export interface ClusterInfo {
  runDir: string;
  serverBin: string;
  temporalCli: string;
  portBase: number;
  /** Frontend host:port. */
  address: string;
  pg: { binDir: string; dataDir: string; port: number };
}

export const pgUrl = (info: Pick<ClusterInfo, 'pg'>, db: string): string => `postgres://postgres@127.0.0.1:${info.pg.port}/${db}`;

const log = (m: string): void => void process.stderr.write(`[weft:production] ${m}\n`);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts (or reuses) the layer's own PostgreSQL with scripts/ci-postgres.sh. */
export function ensurePostgres(cacheDir: string): ClusterInfo['pg'] {
  const port = Number(process.env.WEFT_PRODUCTION_PG_PORT ?? 55433);
  const dataDir = join(cacheDir, 'pgdata-production');
  run('bash', [join(REPO_ROOT, 'scripts', 'ci-postgres.sh')], { PGDATA_DIR: dataDir, WEFT_PG_PORT: String(port) });
  const binDir = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(join(d, 'pg_ctl')));
  if (!binDir) throw new Error('no pg_ctl under /usr/lib/postgresql/*/bin');
  return { binDir, dataDir, port };
}

/** Drops and recreates Temporal's databases and Weft's, so every layer run starts empty. */
export async function resetDatabases(pg: ClusterInfo['pg'], weftDb: string): Promise<void> {
  const c = new PgClient({ connectionString: pgUrl({ pg }, 'postgres') });
  await c.connect();
  try {
    for (const db of ['temporal', 'temporal_visibility', weftDb]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${weftDb}`);
  } finally {
    await c.end();
  }
}

export function setupSchema(pg: ClusterInfo['pg'], sqlTool: string): void {
  run('sh', [join(REPO_ROOT, 'scripts', 'production', 'temporal-schema.sh')], { SQL_TOOL: sqlTool, TEMPORAL_DB_PORT: String(pg.port), TEMPORAL_DB_USER: 'postgres' });
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Every port production.yaml derives from the base, plus one metrics port per service. */
const portsFor = (base: number): number[] => [base, base + 1, base + 2, base + 6, base + 10, base - 300, base - 299, base - 298, base - 294, ...SERVICES.map((_, i) => base + 20 + i)];

export async function choosePortBase(): Promise<number> {
  const fixed = process.env.WEFT_PRODUCTION_PORT_BASE;
  if (fixed) {
    const base = Number(fixed);
    // The ports derived from it span base-300 to base+23; membership ports must fit a smallint.
    if (!Number.isInteger(base) || base < 1324 || base > 32000) throw new Error(`Expected WEFT_PRODUCTION_PORT_BASE to be an integer from 1324 to 32000, got \`${fixed}\``);
    return base;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    // Membership ports are stored as smallint in PostgreSQL: keep every port under 32768.
    const base = 21000 + Math.floor(Math.random() * 100) * 100;
    const free = await Promise.all(portsFor(base).map(portFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free range of ports for the Temporal services');
}

/** The server's root: the shipped config and dynamic config, as docker-compose mounts them. */
export function writeServerRoot(runDir: string): void {
  mkdirSync(join(runDir, 'config', 'dynamicconfig'), { recursive: true });
  mkdirSync(join(runDir, 'pids'), { recursive: true });
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  copyFileSync(join(REPO_ROOT, SERVER_CONFIG.file), join(runDir, SERVER_CONFIG.mountedAt));
  copyFileSync(join(REPO_ROOT, DYNAMIC_CONFIG.file), join(runDir, DYNAMIC_CONFIG.mountedAt));
}

/** Spawns a process detached from the caller, its output appended to logs/<name>.log and its pid recorded. */
export function spawnRecorded(runDir: string, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): number {
  const out = openSync(join(runDir, 'logs', `${name}.log`), 'a');
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out], detached: true, ...(cwd ? { cwd } : {}) });
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  writeFileSync(join(runDir, 'pids', name), String(child.pid));
  return child.pid;
}

export function recordedPid(runDir: string, name: string): number | undefined {
  const f = join(runDir, 'pids', name);
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : undefined;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Sends `signal` to the recorded process and waits until it is gone. */
export async function killRecorded(runDir: string, name: string, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 60_000): Promise<void> {
  const pid = recordedPid(runDir, name);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`${name} (pid ${pid}) did not exit within ${timeoutMs} ms of ${signal}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(join(runDir, 'pids', name), { force: true });
}

export function startService(info: ClusterInfo, svc: Service): number {
  return spawnRecorded(info.runDir, `temporal-${svc}`, info.serverBin, ['--root', info.runDir, '--config', 'config', '--env', SERVER_CONFIG.env, '--allow-no-auth', 'start', '--service', svc], {
    TEMPORAL_DB_HOST: '127.0.0.1',
    TEMPORAL_DB_PORT: String(info.pg.port),
    TEMPORAL_DB_USER: 'postgres',
    TEMPORAL_PORT_BASE: String(info.portBase),
    TEMPORAL_METRICS_PORT: String(info.portBase + 20 + SERVICES.indexOf(svc)),
    TEMPORAL_BIND_IP: '127.0.0.1',
    // The config names the dynamic config relative to the working directory, as in the server image.
  }, info.runDir);
}

/**
 * Starts the four services. The first start on empty databases writes the
 * cluster metadata, and services racing to write it make all but one exit;
 * so history starts alone until the row exists, then the others.
 */
export async function startCluster(info: ClusterInfo): Promise<void> {
  startService(info, 'history');
  const c = new PgClient({ connectionString: pgUrl(info, 'temporal') });
  await c.connect();
  try {
    const deadline = Date.now() + 120_000;
    while ((await c.query('SELECT 1 FROM cluster_metadata_info LIMIT 1')).rowCount === 0) {
      assertServicesAlive(info, ['history']);
      if (Date.now() > deadline) throw new Error(`the history service wrote no cluster metadata within 120 s:\n${logTail(info.runDir, 'temporal-history')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await c.end();
  }
  for (const svc of SERVICES) if (svc !== 'history') startService(info, svc);
}

/** Throws with the service's log when one of the services has exited. */
export function assertServicesAlive(info: ClusterInfo, services: readonly Service[] = SERVICES): void {
  for (const svc of services) {
    const pid = recordedPid(info.runDir, `temporal-${svc}`);
    if (pid === undefined || !alive(pid)) throw new Error(`the Temporal ${svc} service is not running:\n${logTail(info.runDir, `temporal-${svc}`)}`);
  }
}

/** Resolves once the frontend answers its health check (and, with `namespace`, knows the namespace). */
export async function waitForFrontend(address: string, opts: { namespace?: string; timeoutMs?: number; check?: () => void } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let last: unknown;
  while (Date.now() < deadline) {
    opts.check?.();
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        const h = await conn.healthService.check({});
        // 1 is SERVING in grpc.health.v1.
        if (Number(h.status) === 1) {
          if (!opts.namespace) return;
          await conn.workflowService.listWorkflowExecutions({ namespace: opts.namespace, pageSize: 1 });
          return;
        }
      } finally {
        await conn.close();
      }
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Temporal frontend at ${address} did not become ready: ${last instanceof Error ? last.message : String(last)}`);
}

/** Registers the namespace and Weft's search attributes with the script docker-compose also runs. */
export function setupNamespace(info: ClusterInfo): void {
  run('sh', [join(REPO_ROOT, 'scripts', 'production', 'temporal-namespace.sh')], { TEMPORAL_CLI: info.temporalCli, TEMPORAL_ADDRESS: info.address, TEMPORAL_NAMESPACE: 'default' });
}

/** `pg_ctl restart -m fast`: every Temporal and Weft connection is cut. */
export function restartPostgres(info: ClusterInfo): void {
  const args = ['-D', info.pg.dataDir, '-l', join(info.pg.dataDir, 'server.log'), '-w', '-t', '60', '-m', 'fast', '-o', `-p ${info.pg.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`, 'restart'];
  const pgCtl = join(info.pg.binDir, 'pg_ctl');
  if (process.getuid?.() === 0) run('runuser', ['-u', 'postgres', '--', pgCtl, ...args]);
  else run(pgCtl, args);
}

/** Kills every process this run recorded (SIGTERM first, then SIGKILL). */
export async function stopAll(runDir: string): Promise<void> {
  const dir = join(runDir, 'pids');
  if (!existsSync(dir)) return;
  await Promise.all(readdirSync(dir).map((name) => killRecorded(runDir, name, 'SIGTERM', 15_000).catch(() => killRecorded(runDir, name, 'SIGKILL'))));
}

export const logTail = (runDir: string, name: string, lines = 30): string => {
  const f = join(runDir, 'logs', `${name}.log`);
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';
};

export { log };
