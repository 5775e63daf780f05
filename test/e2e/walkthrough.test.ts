/**
 * The README's walk-through, step by step, as a new user runs it: `weft dev`
 * in one terminal, the CLI and curl in another.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/temporal/dev-server';
import { runWeft, spawnWeft, waitForOutput } from '../helpers/cli';

const dataDir = mkdtempSync(join(tmpdir(), 'weft-walkthrough-'));
let dev: ReturnType<typeof spawnWeft>;
let env: NodeJS.ProcessEnv;
let apiPort: number;

beforeAll(async () => {
  const [temporalPort, uiPort] = [await freePort(), await freePort()];
  apiPort = await freePort();
  dev = spawnWeft(['dev', '--data-dir', dataDir, '--temporal-port', String(temporalPort), '--ui-port', String(uiPort), '--api-port', String(apiPort)]);
  await waitForOutput(dev, /weft dev is ready/);
  env = { TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` };
}, 180_000);

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((r) => dev.once('exit', r));
    dev.kill('SIGINT');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const weft = (...args: string[]) => runWeft(args, { env });

describe('README walk-through', () => {
  it('1. runs start --wait shows progress and prints the result', async () => {
    const r = await weft('runs', 'start', 'image-pipeline', '--input', '{"uploadId":"u1","count":5}', '--wait');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d\/4 done/);
    expect(r.stdout).toContain('result: {"url":"https://cdn.example.com/sheets/u1.jpg","count":5}');
  });

  it('2. POST /v1/runs with the same Idempotency-Key twice returns the same id', async () => {
    const post = () =>
      fetch(`http://127.0.0.1:${apiPort}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'upload-42' },
        body: JSON.stringify({ dag: 'image-pipeline', input: { uploadId: 'u42' } }),
      });
    const first = await post();
    const second = await post();
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = [(await first.json()) as { id: string; runId: string; existing: boolean }, (await second.json()) as { id: string; runId: string; existing: boolean }];
    expect(a).toMatchObject({ id: 'upload-42', existing: false });
    expect(b).toEqual({ ...a, existing: true });
  });

  it('3. schedules apply creates the schedules (weft dev already did), and applying again reports no changes', async () => {
    const list = JSON.parse((await weft('schedules', 'list', '--json')).stdout) as Array<{ id: string }>;
    expect(list.map((s) => s.id).sort()).toEqual(['image-pipeline-sweep', 'nightly-report']);
    const again = await weft('schedules', 'apply', 'examples/schedules.yaml');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no changes');
  });

  it('4. a failed run is listed, and retry --from-failed completes it without repeating what succeeded', async () => {
    const id = `u7-${Date.now()}`;
    writeFileSync(join(dataDir, 'image-service-down'), '');
    const failed = await weft('runs', 'start', 'image-pipeline', '--input', '{"uploadId":"u7","count":3}', '--id', id, '--wait');
    expect(failed.code).toBe(1);
    const list = await weft('runs', 'list', '--status', 'failed');
    expect(list.stdout).toContain(id);
    rmSync(join(dataDir, 'image-service-down'));
    const retried = await weft('runs', 'retry', id, '--from-failed', '--wait');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('reusing fetch');
    expect(retried.stdout).toContain('COMPLETED');
    expect(retried.stdout).toMatch(/✓ fetch\s+succeeded\s+reused/);
  });
});
