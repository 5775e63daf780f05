/**
 * The fault suite, on the real cluster with two `weft worker` processes:
 * 1. SIGKILL a Weft worker (and start it again) during 50 runs of a 20-node DAG;
 * 2. SIGKILL the history service and restart it, during a batch;
 * 3. the same for matching;
 * 4. restart PostgreSQL during a batch.
 * After each: every run completes, every side effect is applied exactly once
 * by its idempotency key, and none is stuck. Recovery times are printed
 * (figures, not assertions) and written to <runDir>/faults.json.
 */
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { WeftClient } from '../../src/client/weft-client';
import { killRecorded, log, restartPostgres, startService, waitForFrontend, type Service } from './cluster';
import { ledgerDagsDir } from './dag-ledger';
import { Ledger } from './ledger';
import { checkSideEffects, startBatch, waitAll } from './runs';
import { startWorker, type WeftSetup } from './weft';

const info = inject('cluster');
const CI = process.env.WEFT_PRODUCTION === 'ci';
/** Runs in the worker-kill batch (the figure), and in each service batch. */
const WORKER_BATCH = 50;
const SERVICE_BATCH = CI ? 20 : 50;
const RUN_TIMEOUT_MS = 300_000;

const ledger = new Ledger();
const setup: WeftSetup = { taskQueue: `faults-${randomUUID().slice(0, 8)}`, dagsDir: ledgerDagsDir(), dataDir: mkdtempSync(join(tmpdir(), 'weft-faults-')) };
let connection: Connection;
let client: Client;
let weft: WeftClient;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  await ledger.start();
  await Promise.all([startWorker(info, 'weft-worker-1', setup), startWorker(info, 'weft-worker-2', setup)]);
  connection = await Connection.connect({ address: info.address });
  client = new Client({ connection });
  weft = new WeftClient(client, { taskQueue: setup.taskQueue, dagsDir: setup.dagsDir });
});

afterAll(async () => {
  await Promise.all(['weft-worker-1', 'weft-worker-2'].map((w) => killRecorded(info.runDir, w, 'SIGTERM').catch(() => undefined)));
  await connection?.close();
  await ledger.stop();
  writeFileSync(join(info.runDir, 'faults.json'), JSON.stringify(figures, null, 2));
  log(`fault suite figures: ${JSON.stringify(figures)}`);
  for (const d of [setup.dagsDir, setup.dataDir]) rmSync(d, { recursive: true, force: true });
});

/** Waits until the ledger has applied `share` of a batch's side effects, so the fault lands mid-batch. */
async function untilInFlight(ids: string[], share: number): Promise<void> {
  const want = Math.ceil(ids.length * 20 * share);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const done = [...ledger.appliedAt.keys()].filter((k) => ids.some((id) => k.startsWith(`${id}/`))).length;
    if (done >= want) return;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${want} side effects applied before the fault`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs a batch, injects `fault` mid-way, and checks every run and side effect. */
async function batchWithFault(name: string, runs: number, fault: () => Promise<void>): Promise<void> {
  const started = Date.now();
  const ids = await startBatch(weft, `${name}-${randomUUID().slice(0, 6)}`, runs, ledger.url);
  await untilInFlight(ids, 0.25);
  const faultAt = Date.now();
  await fault();
  const faultDoneAt = Date.now();
  const outcome = await waitAll(client, ids, RUN_TIMEOUT_MS);
  const resumedAt = ledger.firstAppliedSince(faultDoneAt);
  const effects = checkSideEffects(ledger, ids);
  // Recovery: the longest pause in side effects from the kill on (the cluster's stall).
  const times = ids.flatMap((id) => [...ledger.appliedAt].filter(([k]) => k.startsWith(`${id}/`)).map(([, t]) => t)).filter((t) => t >= faultAt).sort((a, b) => a - b);
  let longestPauseMs = times.length ? times[0]! - faultAt : 0;
  for (let i = 1; i < times.length; i++) longestPauseMs = Math.max(longestPauseMs, times[i]! - times[i - 1]!);
  figures[name] = {
    runs,
    completed: outcome.completed.length,
    failed: outcome.failed.length,
    stuck: outcome.stuck.length,
    sideEffects: effects.expected,
    lost: effects.lost.length,
    appliedTwice: effects.appliedTwice.length,
    unexpected: effects.unexpected.length,
    redeliveriesAbsorbed: effects.redeliveries,
    faultTookMs: faultDoneAt - faultAt,
    firstSideEffectAfterFaultMs: resumedAt === undefined ? null : resumedAt - faultDoneAt,
    longestPauseAfterKillMs: longestPauseMs,
    batchDoneAfterFaultMs: outcome.doneAt - faultAt,
    batchTotalMs: outcome.doneAt - started,
  };
  log(`${name}: ${JSON.stringify(figures[name])}`);
  expect(outcome.stuck, 'runs still open at the deadline').toEqual([]);
  expect(outcome.failed, 'runs that ended other than COMPLETED').toEqual([]);
  expect(effects.lost, 'side effects never applied').toEqual([]);
  expect(effects.appliedTwice, 'side effects applied twice').toEqual([]);
  expect(effects.unexpected, 'side effects no run should have made').toEqual([]);
}

async function killAndRestart(svc: Service): Promise<void> {
  await killRecorded(info.runDir, `temporal-${svc}`, 'SIGKILL');
  startService(info, svc);
  await waitForFrontend(info.address, { namespace: 'default' });
}

describe('fault suite', () => {
  it(`SIGKILL a Weft worker during ${WORKER_BATCH} runs: all complete, each side effect once`, async () => {
    await batchWithFault('kill-weft-worker', WORKER_BATCH, async () => {
      await killRecorded(info.runDir, 'weft-worker-1', 'SIGKILL');
      // Started again at once; until its bundle is built, worker 2 carries the load.
      await startWorker(info, 'weft-worker-1', setup);
    });
  });

  it('SIGKILL the history service and restart it', async () => {
    await batchWithFault('kill-history', SERVICE_BATCH, () => killAndRestart('history'));
  });

  it('SIGKILL the matching service and restart it', async () => {
    await batchWithFault('kill-matching', SERVICE_BATCH, () => killAndRestart('matching'));
  });

  it('restart PostgreSQL', async () => {
    await batchWithFault('restart-postgres', SERVICE_BATCH, async () => {
      restartPostgres(info);
      await waitForFrontend(info.address, { namespace: 'default' });
    });
  });
});
