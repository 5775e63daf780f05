/**
 * Weft's user-facing flows on the production topology: two `weft worker`
 * processes and two `weft api` processes on different ports, all on the
 * cluster, with the example DAGs. Requests alternate between the two APIs, so
 * nothing relies on state held by one process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Pool } from 'pg';
import { freePort } from '../../src/temporal/dev-server';
import { placeOrder, setUpDatabase } from '../../examples/outbox/app';
import { runWeft } from '../helpers/cli';
import { killRecorded, pgUrl, REPO_ROOT, spawnRecorded, WEFT_DB } from './cluster';
import { api, startApi, startWorker, waitForLog, weftEnv, type WeftSetup } from './weft';

const info = inject('cluster');
const EXAMPLES = join(REPO_ROOT, 'examples');
const setup: WeftSetup = {
  taskQueue: `flows-${randomUUID().slice(0, 8)}`,
  dagsDir: EXAMPLES,
  dataDir: mkdtempSync(join(tmpdir(), 'weft-flows-')),
  activityModules: ['image-pipeline', 'order-saga', 'nightly-report'].map((d) => join(EXAMPLES, d, 'activities.ts')),
};
const PROCS = ['flows-worker-1', 'flows-worker-2', 'flows-api-1', 'flows-api-2', 'flows-outbox-relay'];
let apis: string[] = [];
let pool: Pool;

beforeAll(async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  await Promise.all([startWorker(info, 'flows-worker-1', setup), startWorker(info, 'flows-worker-2', setup)]);
  apis = await Promise.all([startApi(info, 'flows-api-1', p1, setup), startApi(info, 'flows-api-2', p2, setup)]);
  pool = new Pool({ connectionString: pgUrl(info, WEFT_DB) });
});

afterAll(async () => {
  await Promise.all(PROCS.map((p) => killRecorded(info.runDir, p, 'SIGTERM').catch(() => undefined)));
  await pool?.end();
  rmSync(setup.dataDir, { recursive: true, force: true });
});

const weft = (...args: string[]) => runWeft(args, { env: weftEnv(info, setup), cwd: REPO_ROOT });
type Run = { id: string; execution: string; status?: { nodes: Array<{ id: string; state: string }> }; result?: unknown };
const getRun = async (base: string, id: string) => (await api<Run>(base, 'GET', `/v1/runs/${encodeURIComponent(id)}`)).body;

describe('README walk-through on the cluster', () => {
  it('runs start --wait completes image-pipeline on the cluster workers', async () => {
    const r = await weft('runs', 'start', 'image-pipeline', '--input', '{"uploadId":"u1","count":5}', '--wait');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('result: {"url":"https://cdn.example.com/sheets/u1.jpg","count":5}');
  });

  it('the same Idempotency-Key sent to both APIs returns one run', async () => {
    const key = `upload-${randomUUID().slice(0, 8)}`;
    const post = (base: string) => api<{ id: string; runId: string; existing: boolean }>(base, 'POST', '/v1/runs', { dag: 'image-pipeline', input: { uploadId: key } }, { 'idempotency-key': key });
    const a = await post(apis[0]!);
    const b = await post(apis[1]!);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body).toMatchObject({ id: key, existing: false });
    expect(b.body).toEqual({ ...a.body, existing: true });
    await expect.poll(async () => (await getRun(apis[1]!, key)).execution, { timeout: 60_000 }).toBe('COMPLETED');
  });

  it('a failed run is found by status in SQL visibility, and retry --from-failed completes it', async () => {
    const id = `u7-${randomUUID().slice(0, 8)}`;
    writeFileSync(join(setup.dataDir, 'image-service-down'), '');
    const failed = await weft('runs', 'start', 'image-pipeline', '--input', '{"uploadId":"u7","count":3}', '--id', id, '--wait');
    expect(failed.code).toBe(1);
    // Visibility is eventually consistent: the WeftStatus search attribute lands shortly after the close.
    await expect.poll(async () => (await weft('runs', 'list', '--status', 'failed')).stdout, { timeout: 30_000 }).toContain(id);
    rmSync(join(setup.dataDir, 'image-service-down'));
    const retried = await weft('runs', 'retry', id, '--from-failed', '--wait');
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/✓ fetch\s+succeeded\s+reused/);
  });
});

describe('schedules apply on the cluster', () => {
  it('creates the schedules of a file, and a second apply changes nothing', async () => {
    const file = join(EXAMPLES, 'schedules.yaml');
    const first = await weft('schedules', 'apply', file);
    expect(first.code, first.stderr).toBe(0);
    const list = JSON.parse((await weft('schedules', 'list', '--json')).stdout) as Array<{ id: string }>;
    expect(list.map((s) => s.id).sort()).toEqual(['image-pipeline-sweep', 'nightly-report']);
    const again = await weft('schedules', 'apply', file);
    expect(again.stdout).toContain('no changes');
    for (const id of ['image-pipeline-sweep', 'nightly-report']) expect((await weft('schedules', 'delete', id)).code).toBe(0);
  });
});

describe('FIFO queue on the cluster', () => {
  it('jobs added through both APIs run one at a time, in the order accepted', async () => {
    const key = `customer-${randomUUID().slice(0, 8)}`;
    for (let i = 1; i <= 4; i++) {
      const base = apis[i % 2]!;
      const r = await api(base, 'POST', `/v1/queues/${key}/jobs`, { dag: 'order-saga', input: { orderId: `o${i}`, sku: 'mug', quantity: 1, amountCents: 900 }, idempotencyKey: `o${i}` });
      expect(r.status).toBe(202);
    }
    type Q = { counts: Record<string, number>; recent: Array<{ jobId: string; seq: number; state: string }> };
    await expect.poll(async () => (await api<Q>(apis[1]!, 'GET', `/v1/queues/${key}`)).body.counts, { timeout: 90_000 }).toMatchObject({ accepted: 4, succeeded: 4 });
    const q = (await api<Q>(apis[0]!, 'GET', `/v1/queues/${key}`)).body;
    expect([...q.recent].sort((a, b) => a.seq - b.seq).map((r) => r.jobId)).toEqual(['o1', 'o2', 'o3', 'o4']);
  });
});

describe('transactional outbox on the cluster', () => {
  it('a committed order row becomes an order-saga run through `weft outbox relay`', async () => {
    await setUpDatabase(pool);
    spawnRecorded(info.runDir, 'flows-outbox-relay', process.execPath, [join(REPO_ROOT, 'bin', 'weft'), 'outbox', 'relay'], { ...weftEnv(info, setup), WEFT_OUTBOX_DATABASE_URL: pgUrl(info, WEFT_DB) });
    await waitForLog(info, 'flows-outbox-relay', /watching/, 120_000);
    const orderId = randomUUID().slice(0, 8);
    const runId = await placeOrder(pool, { orderId, sku: 'mug', quantity: 2, amountCents: 1800 });
    await expect.poll(async () => (await api<Run>(apis[0]!, 'GET', `/v1/runs/${runId}`)).body.execution, { timeout: 90_000, interval: 500 }).toBe('COMPLETED');
  });
});

describe('approval on the cluster', () => {
  it('a run started through one API waits for approval, is approved through the other, and completes', async () => {
    const started = await api<{ id: string }>(apis[0]!, 'POST', '/v1/runs', { dag: 'nightly-report', input: { day: '2026-01-01', publishDelay: '1s' } });
    expect(started.status).toBe(202);
    const id = started.body.id;
    await expect.poll(async () => (await getRun(apis[1]!, id)).status?.nodes.find((n) => n.id === 'approve')?.state, { timeout: 60_000 }).toBe('waiting');
    const decided = await api(apis[1]!, 'POST', `/v1/runs/${encodeURIComponent(id)}/nodes/approve/approve`, { by: 'ops@example.com' });
    expect(decided.status).toBe(200);
    await expect.poll(async () => (await getRun(apis[0]!, id)).execution, { timeout: 60_000 }).toBe('COMPLETED');
    const publish = (await getRun(apis[0]!, id)).status?.nodes.find((n) => n.id === 'publish');
    expect(publish?.state).toBe('succeeded');
  });
});
