/**
 * Figures, not assertions on time: the same 50 runs of the 20-node ledger DAG
 * with two `weft worker` processes, on the cluster and then on the Temporal
 * CLI's dev server (one process, SQLite), on the same machine at the same
 * time of the run. Skipped in the CI subset (WEFT_PRODUCTION=ci).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { WeftClient } from '../../src/client/weft-client';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { killRecorded, log, type ClusterInfo } from './cluster';
import { ledgerDagsDir } from './dag-ledger';
import { Ledger } from './ledger';
import { checkSideEffects, startBatch, waitAll } from './runs';
import { startWorker, type WeftSetup } from './weft';

const info = inject('cluster');
const RUNS = 50;
const ledger = new Ledger();
const dagsDir = ledgerDagsDir();
const dataDir = mkdtempSync(join(tmpdir(), 'weft-throughput-'));
const figures: Record<string, unknown> = {};
let dev: DevServer | undefined;

beforeAll(async () => {
  await ledger.start();
});
afterAll(async () => {
  await dev?.stop();
  await ledger.stop();
  writeFileSync(join(info.runDir, 'throughput.json'), JSON.stringify(figures, null, 2));
  log(`throughput figures: ${JSON.stringify(figures)}`);
  for (const d of [dagsDir, dataDir]) rmSync(d, { recursive: true, force: true });
});

/** Two workers on `target`, 50 runs, all completed and each side effect once; returns the figures. */
async function measure(name: string, target: ClusterInfo): Promise<Record<string, number>> {
  const setup: WeftSetup = { taskQueue: `${name}-${randomUUID().slice(0, 8)}`, dagsDir, dataDir };
  const workers = [`${name}-worker-1`, `${name}-worker-2`];
  await Promise.all(workers.map((w) => startWorker(target, w, setup)));
  const connection = await Connection.connect({ address: target.address });
  try {
    const client = new Client({ connection });
    const weft = new WeftClient(client, { taskQueue: setup.taskQueue, dagsDir });
    const load = loadavg()[0]!;
    const started = Date.now();
    const ids = await startBatch(weft, name, RUNS, ledger.url);
    const outcome = await waitAll(client, ids, 600_000);
    const ms = Date.now() - started;
    const effects = checkSideEffects(ledger, ids);
    expect(outcome.completed).toHaveLength(RUNS);
    expect(effects.lost).toEqual([]);
    return { runs: RUNS, nodes: RUNS * 20, ms, runsPerSecond: +(RUNS / (ms / 1000)).toFixed(2), nodesPerSecond: +((RUNS * 20) / (ms / 1000)).toFixed(1), loadAverage1mAtStart: +load.toFixed(2) };
  } finally {
    await connection.close();
    await Promise.all(workers.map((w) => killRecorded(target.runDir, w, 'SIGTERM').catch(() => undefined)));
  }
}

describe.skipIf(process.env.WEFT_PRODUCTION === 'ci')('throughput, cluster vs dev server', () => {
  it(`${RUNS} runs of the 20-node DAG with two workers on the cluster`, async () => {
    figures.cluster = await measure('tp-cluster', info);
  });

  it(`the same ${RUNS} runs on the dev server`, async () => {
    dev = await startDevServer({ cliPath: info.temporalCli, dbFilename: join(dataDir, 'dev.db') });
    figures.devServer = await measure('tp-dev', { ...info, address: dev.address });
  });
});
