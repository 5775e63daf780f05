/** `weft worker` as operators run it: a subprocess that shuts down gracefully on SIGTERM. */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { compileDag } from '../../src/dag';
import { WeftClient } from '../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { spawnWeft, waitForOutput } from '../helpers/cli';

let env: TestWorkflowEnvironment;
const dir = mkdtempSync(join(tmpdir(), 'weft-worker-e2e-'));
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

function startWorker(taskQueue: string, marker: string, extra: string[] = []) {
  return spawnWeft(['worker', '--task-queue', taskQueue, '--activities', './test/fixtures/worker-modules/slow.ts', '--shutdown-grace', '1s', ...extra], {
    env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_DATA_DIR: join(dir, taskQueue), WEFT_TEST_MARKER: marker, WEFT_LOG_LEVEL: 'warn' },
  });
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

describe('weft worker', () => {
  it('on SIGTERM cancels the activity in flight after the grace time, exits 0, and another worker finishes the run', async () => {
    const taskQueue = uniqueId('tq');
    const marker = join(dir, `${taskQueue}.log`);
    const first = startWorker(taskQueue, marker);
    await waitForOutput(first, /weft worker: task queue/);
    const weft = new WeftClient(env.client, { taskQueue });
    const id = uniqueId('slow');
    await weft.startRun({
      id,
      dag: compileDag({ name: 'slow', nodes: [{ id: 'work', activity: 'test.slow', input: { ms: 3000 }, timeout: { startToClose: '1m', heartbeat: '2s' }, retry: { initialInterval: '100ms' } }] }),
    });
    await expect.poll(() => lines(marker).some((l) => l.startsWith('started attempt 1')), { timeout: 30_000 }).toBe(true);

    const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines(marker).find((l) => l.startsWith('cancelled'))).toMatch(/cancelled in pid \d+: .*WORKER_SHUTDOWN/);

    // The work is not lost: a second worker picks up the retry and completes the run.
    const second = startWorker(taskQueue, marker);
    try {
      expect(await env.client.workflow.getHandle(id).result()).toEqual({ work: { sleptMs: 3000 } });
      expect(lines(marker).filter((l) => l.startsWith('finished'))).toHaveLength(1);
    } finally {
      second.kill('SIGTERM');
    }
  });

  it('rejects a bad flag value, naming the flag', async () => {
    const child = startWorker(uniqueId('tq'), join(dir, 'unused.log'), ['--concurrency', 'lots']);
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('Expected --concurrency to be a positive integer, got `lots`');
  });
});
