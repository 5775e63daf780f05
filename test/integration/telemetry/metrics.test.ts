/**
 * A real `weft worker --metrics-port` and `weft api` (separate processes, as
 * operators run them), traced over OTLP http/protobuf: after real runs, every
 * metric the Grafana dashboard queries is exported by one or the other, the
 * run and node metrics count what happened, and the worker's JSON log lines
 * from inside an activity carry the run, node, attempt and trace id.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { freePort } from '../../../src/temporal/dev-server';
import { REPO_ROOT, spawnWeft, waitForOutput } from '../../helpers/cli';
import { uniqueId } from '../../helpers/temporal';
import { OtlpReceiver } from './otlp-receiver';

const dir = mkdtempSync(join(tmpdir(), 'weft-metrics-'));
const taskQueue = uniqueId('metrics');
const dag = uniqueId('metered').toLowerCase();
let receiver: OtlpReceiver;
let worker: ChildProcess;
let api: ChildProcess;
let workerOut = '';
let workerUrl: string;
let apiUrl: string;

/** Metric families the dashboard's queries name (a histogram's _bucket series belongs to its family). */
function dashboardMetrics(): string[] {
  const dashboard = readFileSync(join(REPO_ROOT, 'deploy', 'grafana', 'weft-dashboard.json'), 'utf8');
  const names = dashboard.match(/\b(?:weft|temporal|process|nodejs)_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))].sort();
}

/** Families in an exposition text, by their `# TYPE` lines. */
const families = (text: string): Set<string> => new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  const [metricsPort, apiPort] = [await freePort(), await freePort()];
  const env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    WEFT_TASK_QUEUE: taskQueue,
    WEFT_DATA_DIR: dir,
    WEFT_DAGS_DIR: dir,
    WEFT_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  worker = spawnWeft(['worker', '--metrics-port', String(metricsPort), '--log-format', 'json'], { env });
  worker.stdout?.on('data', (b: Buffer) => (workerOut += b.toString()));
  api = spawnWeft(['api', '--insecure-no-auth', '--port', String(apiPort), '--host', '127.0.0.1'], { env });
  await Promise.all([waitForOutput(worker, /weft worker: task queue/), waitForOutput(api, /weft api listening/)]);
  workerUrl = `http://127.0.0.1:${metricsPort}`;
  apiUrl = `http://127.0.0.1:${apiPort}`;
});

afterAll(async () => {
  for (const child of [worker, api]) {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startRun(definition: unknown): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dag: definition }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function runState(id: string): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/runs/${id}`);
  return ((await res.json()) as { state?: string; status?: { state?: string } }).status?.state ?? '';
}

describe('metrics', () => {
  it('exports every metric the dashboard queries, counting real runs, nodes, retries and a waiting approval', async () => {
    const approved = await startRun({
      name: dag,
      nodes: [
        { id: 'prepare', activity: 'noop', input: { step: 1 } },
        { id: 'review', after: ['prepare'], type: 'approval', timeout: '1h' },
        { id: 'publish', after: ['review'], activity: 'noop', input: { step: 2 } },
      ],
    });
    const failed = await startRun({
      name: dag,
      nodes: [{ id: 'call', activity: 'http.request', retry: { maximumAttempts: 2, initialInterval: '100ms' }, input: { method: 'GET', url: 'http://127.0.0.1:9/unreachable' } }],
    });

    // The approvals gauge is read from running runs when scraped.
    await expect.poll(async () => sample(await scrape(workerUrl), 'weft_approvals_waiting', { dag }), { timeout: 30_000, interval: 1000 }).toBe(1);
    const decided = await fetch(`${apiUrl}/v1/runs/${approved}/nodes/review/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(decided.status).toBeLessThan(300);
    await expect.poll(() => runState(approved), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(() => runState(failed), { timeout: 30_000 }).toBe('failed');

    const [fromWorker, fromApi] = [await scrape(workerUrl), await scrape(apiUrl)];
    expect(sample(fromWorker, 'weft_runs_started_total', { dag })).toBe(2);
    expect(sample(fromWorker, 'weft_runs_completed_total', { dag })).toBe(1);
    expect(sample(fromWorker, 'weft_runs_failed_total', { dag })).toBe(1);
    expect(sample(fromWorker, 'weft_node_attempts_total', { dag, node: 'call', outcome: 'failure' })).toBe(2);
    expect(sample(fromWorker, 'weft_node_retries_total', { dag, node: 'call' })).toBe(1);
    expect(sample(fromWorker, 'weft_node_failures_total', { dag, node: 'call' })).toBe(1);
    expect(sample(fromWorker, 'weft_node_duration_seconds_count', { dag, node: 'publish', outcome: 'success' })).toBe(1);
    // publish ran as a local activity (mode auto): its metrics carry the node's id, not the local activity's sequence number.
    expect(sample(fromWorker, 'weft_task_queue_backlog', { task_queue: taskQueue, type: 'activity' })).toBeGreaterThanOrEqual(0);
    expect(sample(fromApi, 'weft_api_requests_total', { method: 'POST', route: '/v1/runs', status: '202' })).toBe(2);

    const exported = new Set([...families(fromWorker), ...families(fromApi)]);
    const missing = dashboardMetrics().filter((name) => !exported.has(name));
    expect(missing, 'metrics the dashboard queries but nothing exports').toEqual([]);
    expect(dashboardMetrics().length).toBeGreaterThan(15);
  });

  it("writes JSON log lines inside an activity with the run, node, attempt and trace id, and no task token", async () => {
    // Both attempts of `call` log a line; the worker writes its log asynchronously, so the second may land after the run ended.
    await expect.poll(() => workerOut.split('"msg":"Activity failed"').length - 1, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const records = workerOut
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const attempts = records.filter((r) => r.msg === 'Activity failed');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    const traces = new Set(receiver.spans.map((s) => s.traceId));
    for (const r of attempts) {
      expect(r).toMatchObject({ dag, nodeId: 'call', attempt: expect.any(Number), runId: expect.stringMatching(new RegExp(`^${dag}-`)), traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(traces.has(r.traceId as string), 'the trace id is one the receiver got').toBe(true);
    }
    expect(workerOut).not.toContain('taskToken');
    expect(receiver.contentTypes.some((t) => t.startsWith('application/x-protobuf'))).toBe(true);
  });
});
