/**
 * Brings up the production topology once per layer run: PostgreSQL, the
 * schemas, the four Temporal services as separate processes, the namespace
 * and Weft's search attributes. Test files start their own Weft workers and
 * APIs against it. Timings go to stderr and to <runDir>/timings.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { cacheRoot, requireTemporalCli } from '../../src/temporal/servers';
import { ensureServerBinaries } from '../../scripts/production/binaries';
import { alive, assertServicesAlive, choosePortBase, ensurePostgres, log, resetDatabases, SERVICES, setupNamespace, WEFT_DB, setupSchema, startCluster, stopAll, waitForFrontend, writeServerRoot, type ClusterInfo } from './cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env.WEFT_PRODUCTION;
  if (mode !== undefined && mode !== '' && mode !== 'ci' && mode !== 'full') throw new Error(`Expected WEFT_PRODUCTION to be ci or full (or unset, for full), got \`${mode}\``);
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number): number => (timings[name] = Date.now() - since);

  // Each run drops and recreates the databases: two runs on one PostgreSQL would wreck each other.
  const lock = join(cacheRoot(), `production-layer-${process.env.WEFT_PRODUCTION_PG_PORT ?? 55433}.lock`);
  mkdirSync(cacheRoot(), { recursive: true });
  const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : undefined;
  if (holder && holder !== process.pid && alive(holder)) {
    throw new Error(`another production layer run (pid ${holder}) is using its PostgreSQL; wait for it, or give this one its own with WEFT_PRODUCTION_PG_PORT (lock: ${lock})`);
  }
  writeFileSync(lock, String(process.pid));

  let t = Date.now();
  const bins = await ensureServerBinaries(log);
  const cli = await requireTemporalCli({ progress: log });
  lap(bins.built ? 'buildServer' : 'findServer', t);

  t = Date.now();
  const pg = ensurePostgres(cacheRoot());
  await resetDatabases(pg, WEFT_DB);
  setupSchema(pg, bins.sqlTool);
  lap('postgresAndSchema', t);

  const runDir = mkdtempSync(join(tmpdir(), 'weft-production-'));
  writeServerRoot(runDir);
  const portBase = await choosePortBase();
  const info: ClusterInfo = { runDir, serverBin: bins.server, temporalCli: cli.path, portBase, address: `127.0.0.1:${portBase}`, pg };

  t = Date.now();
  try {
    await startCluster(info);
    await waitForFrontend(info.address, { check: () => assertServicesAlive(info) });
    setupNamespace(info);
    await waitForFrontend(info.address, { namespace: 'default' });
    assertServicesAlive(info);
  } catch (e) {
    await stopAll(runDir);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nlogs: ${runDir}/logs`);
  }
  lap('clusterStart', t);
  lap('setupTotal', t0);
  log(`cluster on ${info.address} (services ${SERVICES.join(', ')}; logs in ${runDir}/logs): ${JSON.stringify(timings)}`);
  project.provide('cluster', info);
  // The services are detached (a test may restart one): stop them on Ctrl-C too.
  const onSignal = (): void => void stopAll(runDir).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  return async () => {
    await stopAll(runDir);
    lap('layerTotal', t0);
    writeFileSync(join(runDir, 'timings.json'), JSON.stringify(timings, null, 2));
    log(`layer took ${Math.round(timings.layerTotal! / 1000)}s: ${JSON.stringify(timings)}`);
    if (!process.env.WEFT_PRODUCTION_KEEP) rmSync(runDir, { recursive: true, force: true });
    rmSync(lock, { force: true });
  };
}
