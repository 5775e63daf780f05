/**
 * `weft worker --metrics-port` answers /healthz and /readyz on that port:
 * alive from the start; ready only while its Worker polls (not while it is
 * still starting, not once SIGTERM starts the drain). The worker is a real
 * subprocess against the dev server; a gated activity module holds its
 * start-up until the test has seen it not ready.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WeftClient } from '../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { freePort } from '../../src/temporal/dev-server';
import { spawnWeft, waitForOutput } from '../helpers/cli';

let env: TestWorkflowEnvironment;
const dir = mkdtempSync(join(tmpdir(), 'weft-probes-'));
const children: ChildProcess[] = [];
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** The probe's status code and body, or `refused` while nothing listens yet. */
async function probe(port: number, path: '/healthz' | '/readyz'): Promise<{ code: number; worker?: string } | 'refused'> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    const body = (await res.json()) as { worker?: string };
    return { code: res.status, ...(body.worker ? { worker: body.worker } : {}) };
  } catch {
    return 'refused';
  }
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

describe('weft worker probes', () => {
  it('is alive but not ready while it starts, ready once it polls, and not ready (still alive) while it drains on SIGTERM', async () => {
    const taskQueue = uniqueId('probes');
    const gate = join(dir, `${taskQueue}.gate`);
    const marker = join(dir, `${taskQueue}.log`);
    const port = await freePort();
    const child = spawnWeft(
      ['worker', '--task-queue', taskQueue, '--activities', './test/fixtures/worker-modules/gated.mjs', '--metrics-port', String(port), '--shutdown-grace', '20s'],
      {
        env: {
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          WEFT_DATA_DIR: join(dir, taskQueue),
          WEFT_TEST_GATE: gate,
          WEFT_TEST_MARKER: marker,
          WEFT_LOG_LEVEL: 'warn',
          WEFT_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
        },
      },
    );
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Starting: the port answers, alive, not ready (the gate holds the activity modules' loading).
    await expect.poll(() => probe(port, '/healthz'), { timeout: 60_000, interval: 100 }).toEqual({ code: 200, worker: 'starting' });
    expect(await probe(port, '/readyz')).toEqual({ code: 503, worker: 'starting' });

    writeFileSync(gate, '');
    const started = waitForOutput(child, /weft worker: task queue/);
    await expect.poll(() => probe(port, '/readyz'), { timeout: 60_000, interval: 100 }).toEqual({ code: 200, worker: 'RUNNING' });
    await started;
    expect(await probe(port, '/healthz')).toEqual({ code: 200, worker: 'RUNNING' });

    // Draining: an activity is in flight when SIGTERM comes; until it ends, the worker is alive and not ready.
    const weft = new WeftClient(env.client, { taskQueue, searchAttributes: false });
    const run = await weft.startRun({
      id: uniqueId('probes-run'),
      dag: { name: 'probes', nodes: [{ id: 'work', activity: 'test.slow', input: { ms: 4000 }, timeout: { startToClose: '1m', heartbeat: '2s' } }] },
    });
    await expect.poll(() => lines(marker).some((l) => l.startsWith('started attempt 1')), { timeout: 30_000 }).toBe(true);
    child.kill('SIGTERM');
    await expect.poll(() => probe(port, '/readyz'), { timeout: 10_000, interval: 50 }).toMatchObject({ code: 503 });
    expect(await probe(port, '/healthz')).toMatchObject({ code: 200 });
    expect(lines(marker).some((l) => l.startsWith('finished'))).toBe(false);

    // The drain lets the activity finish, then the process exits 0 and the port closes.
    expect(await exited).toBe(0);
    expect(lines(marker).some((l) => l.startsWith('finished'))).toBe(true);
    expect(await probe(port, '/healthz')).toBe('refused');
    await env.client.workflow.getHandle(run.id).terminate('test done');
  });
});
