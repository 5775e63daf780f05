/**
 * A `weft worker` killed with SIGKILL while a shard runs jobs (in the batch
 * lane, several jobs per local activity): the local activities of the
 * workflow task in flight run again on the next worker,
 * and the job's key (sent by http.request as Idempotency-Key) makes each
 * job's effect land once on a ledger that applies each key once, as a
 * payment API does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChildProcess } from 'node:child_process';
import { WeftClient } from '../../../src/client/weft-client';
import { Ledger } from '../../production/ledger';
import { spawnWeft, waitForOutput } from '../../helpers/cli';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
const dir = mkdtempSync(join(tmpdir(), 'weft-jobs-kill-'));
const children: ChildProcess[] = [];
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

async function startWorker(taskQueue: string): Promise<ChildProcess> {
  const child = spawnWeft(['worker', '--task-queue', taskQueue], { env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_DATA_DIR: join(dir, taskQueue), WEFT_LOG_LEVEL: 'warn' } });
  children.push(child);
  await waitForOutput(child, /weft worker: task queue/);
  return child;
}

describe('job queue under a worker crash', () => {
  it('applies every job once by its key when the worker is SIGKILLed mid-run', async () => {
    const ledger = new Ledger();
    const url = await ledger.start(100);
    const taskQueue = uniqueId('tq');
    const first = await startWorker(taskQueue);
    const weft = new WeftClient(env.client, { taskQueue, jobs: { shards: 2, concurrency: 10 } });
    const queue = uniqueId('q');
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => weft.jobs.enqueue({ queue, key: `j${i}`, activity: 'http.request', input: { method: 'POST', url, body: { i } }, retry: { initialInterval: '100ms' } })));

    await expect.poll(() => ledger.counts().applied, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(40);
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    const appliedAtKill = ledger.counts().applied;
    expect(appliedAtKill).toBeLessThan(n);

    await startWorker(taskQueue);
    await expect.poll(async () => (await weft.jobs.summary(queue)).reduce((sum, s) => sum + s.counts.succeeded, 0), { timeout: 120_000, interval: 500 }).toBe(n);

    const counts = ledger.counts();
    expect(counts.withoutKey).toBe(0);
    expect(counts.applied).toBe(n);
    expect([...ledger.seen.keys()].sort()).toEqual(Array.from({ length: n }, (_, i) => `weft-jobs:${queue}/j${i}`).sort());
    // The jobs ran in the batch lane (weft worker registers it): a local activity marker per batch, not per job.
    let markers = 0;
    for (const shard of [0, 1]) {
      const history = await env.client.workflow.getHandle(`weft-jobs:${queue}:${shard}`).fetchHistory();
      markers += (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    }
    expect(markers).toBeLessThan(n / 2);
    // Figures, not assertions: how many calls the crash repeated (the ledger absorbed them).
    console.log(`worker killed after ${appliedAtKill} of ${n} effects; ${counts.redeliveries} repeated calls absorbed by their keys`);
  }, 180_000);
});
