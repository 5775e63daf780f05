/** `weft runs …` as a subprocess against the dev server, with a worker serving the examples. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { statusQuery } from '../../src/workflows/messages';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { exampleWorker, EXAMPLES_DIR } from '../helpers/examples';
import { runWeft } from '../helpers/cli';
import { waitForStatus } from '../helpers/dag';
import { outageFile } from '../../examples/image-pipeline/activities';

let env: TestWorkflowEnvironment;
const dataDir = mkdtempSync(join(tmpdir(), 'weft-cli-runs-'));
beforeAll(async () => {
  env = await devServerEnv();
  process.env.WEFT_DATA_DIR = dataDir;
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dataDir, { recursive: true, force: true });
});

function weftCli(taskQueue: string) {
  return (...args: string[]) => runWeft(args, { env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_TASK_QUEUE: taskQueue, WEFT_DAGS_DIR: EXAMPLES_DIR } });
}

describe('weft runs', () => {
  it('start --wait shows progress and prints the result; exit 0', async () => {
    const { taskQueue } = await exampleWorker(env);
    const r = await weftCli(taskQueue)('runs', 'start', 'image-pipeline', '--input', '{"uploadId":"cli","count":4}', '--wait');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: \d\/4 done/);
    expect(r.stdout).toContain('COMPLETED');
    expect(r.stdout).toContain('result: {"url":"https://cdn.example.com/sheets/cli.jpg","count":4}');
  });

  it('start --wait --json prints the run result as JSON on the last line', async () => {
    const { taskQueue } = await exampleWorker(env);
    const r = await weftCli(taskQueue)('runs', 'start', 'image-pipeline', '--input', '{"uploadId":"j","count":2}', '--wait', '--json');
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ execution: 'COMPLETED', result: { url: 'https://cdn.example.com/sheets/j.jpg', count: 2 } });
  });

  it('start with the same --id twice returns the same run', async () => {
    const { taskQueue } = await exampleWorker(env);
    const id = uniqueId('same');
    const cli = weftCli(taskQueue);
    const first = JSON.parse((await cli('runs', 'start', 'order-saga', '--id', id, '--input', '{"orderId":"1","sku":"a","quantity":1,"amountCents":5}', '--json')).stdout);
    const second = JSON.parse((await cli('runs', 'start', 'order-saga', '--id', id, '--input', '{"orderId":"1","sku":"a","quantity":1,"amountCents":5}', '--json')).stdout);
    expect(second).toEqual({ ...first, existing: true });
  });

  it('starts a run from a definition file', async () => {
    const { taskQueue } = await exampleWorker(env);
    const file = join(dataDir, 'inline.yaml');
    writeFileSync(file, 'name: inline\nnodes:\n  - id: echo\n    activity: noop\n    input: "{{ input.word }}"\n');
    const r = await weftCli(taskQueue)('runs', 'start', file, '--input', '{"word":"hi"}', '--wait', '--json');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ result: { echo: 'hi' } });
  });

  it('lists a failed run with --status failed, and retry --from-failed completes it without repeating succeeded nodes', async () => {
    const { taskQueue } = await exampleWorker(env);
    const cli = weftCli(taskQueue);
    writeFileSync(outageFile(), 'down');
    const id = uniqueId('outage');
    const failed = await cli('runs', 'start', 'image-pipeline', '--id', id, '--input', '{"uploadId":"o","count":2}', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('ImageServiceDown');
    const list = JSON.parse((await cli('runs', 'list', '--status', 'failed', '--dag', 'image-pipeline', '--json')).stdout) as Array<{ id: string }>;
    expect(list.map((r) => r.id)).toContain(id);

    rmSync(outageFile());
    const retried = await cli('runs', 'retry', id, '--from-failed', '--wait');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('reusing fetch');
    const status = JSON.parse((await cli('runs', 'status', id, '--json')).stdout);
    expect(status.execution).toBe('COMPLETED');
    expect(status.status.nodes[0]).toMatchObject({ id: 'fetch', reused: true });
  });

  it('approve and reject decide waiting approval nodes; a refused decision exits 1', async () => {
    const { taskQueue, weft } = await exampleWorker(env);
    const cli = weftCli(taskQueue);
    const ids = [uniqueId('report'), uniqueId('report')];
    for (const id of ids) await weft.startRun({ dag: 'nightly-report', id, input: { day: '2026-11-21', publishDelay: '1s' } });
    for (const id of ids) await waitForStatus(env.client.workflow.getHandle(id), (s) => s.nodes.find((n) => n.id === 'approve')?.reason?.startsWith('awaiting'));
    const notApproval = await cli('runs', 'approve', ids[0]!, 'publish');
    expect(notApproval.code).toBe(1);
    expect(notApproval.stderr).toContain('node "publish" is not an approval node');
    expect((await cli('runs', 'approve', ids[0]!, 'approve', '--by', 'alice')).code).toBe(0);
    expect(await env.client.workflow.getHandle(ids[0]!).result()).toMatchObject({ publish: { approvedBy: 'alice' } });
    const rejected = await cli('runs', 'reject', ids[1]!, 'approve', '--reason', 'wrong day');
    expect(rejected.code).toBe(0);
    await expect(env.client.workflow.getHandle(ids[1]!).result()).rejects.toThrow();
    const closed = await cli('runs', 'approve', ids[1]!, 'approve');
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('not running');
  });

  it('cancel stops a running run', async () => {
    const { taskQueue, weft } = await exampleWorker(env);
    const id = uniqueId('cancel');
    await weft.startRun({ dag: 'nightly-report', id, input: { day: '2026-11-21' } });
    await waitForStatus(env.client.workflow.getHandle(id), (s) => s.nodes.find((n) => n.id === 'approve')?.state === 'waiting');
    expect((await weftCli(taskQueue)('runs', 'cancel', id)).code).toBe(0);
    await expect(env.client.workflow.getHandle(id).result()).rejects.toThrow();
    expect((await env.client.workflow.getHandle(id).query(statusQuery)).state).toBe('cancelled');
  });
});

describe('weft runs: bad input', () => {
  const cli = weftCli('unused');

  it('exits 2 naming --input when it is not JSON', async () => {
    const r = await cli('runs', 'start', 'image-pipeline', '--input', '{oops');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected --input to be JSON or @file, got `{oops`');
  });

  it('exits 2 for an unknown --status and an unknown flag', async () => {
    const bad = await cli('runs', 'list', '--status', 'broken');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected --status to be one of running, completed, failed');
    expect((await cli('runs', 'list', '--colour')).code).toBe(2);
  });

  it('exits 1 listing each input problem when the input does not match the DAG schema', async () => {
    const r = await cli('runs', 'start', 'image-pipeline', '--input', '{"count":-1}');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('input.uploadId: is required');
    expect(r.stderr).toContain('input.count: must be >= 0');
  });

  it('exits 5 for an unknown DAG or run', async () => {
    const dag = await cli('runs', 'start', 'no-such-dag');
    expect(dag.code).toBe(5);
    expect(dag.stderr).toContain('no DAG named "no-such-dag"');
    const run = await cli('runs', 'status', 'no-such-run');
    expect(run.code).toBe(5);
  });

  it('exits 4 when Temporal is unreachable', async () => {
    const r = await cli('runs', 'list', '--address', '127.0.0.1:1');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Temporal is not reachable at 127.0.0.1:1');
  });

  it('exits 3 listing every problem of a bad config, with where each came from', async () => {
    const file = join(dataDir, 'bad.yaml');
    writeFileSync(file, 'taskQueue: ""\napi:\n  port: 99999\ncolour: blue\n');
    const r = await runWeft(['runs', 'list', '--config', file], { env: { TEMPORAL_ADDRESS: 'not-an-address' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Invalid configuration:');
    expect(r.stderr).toMatch(/temporal\.address \(env TEMPORAL_ADDRESS\): expected host:port/);
    expect(r.stderr).toMatch(/api\.port \(file .*bad\.yaml\)/);
    expect(r.stderr).toMatch(/colour \(file .*bad\.yaml\)/);
    expect(r.stderr).toMatch(/taskQueue \(file .*bad\.yaml\)/);
  });
});
