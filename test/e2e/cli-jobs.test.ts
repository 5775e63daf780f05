/** `weft jobs enqueue|status|list|retry` as a subprocess, against a worker with the built-in activities. */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { exampleWorker } from '../helpers/examples';
import { runWeft } from '../helpers/cli';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('weft jobs', () => {
  it('enqueues a job, waits for its output, refuses a repeated key, and reports status and list', async () => {
    const { taskQueue } = await exampleWorker(env);
    const cli = (...args: string[]) => runWeft(args, { env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_TASK_QUEUE: taskQueue } });
    const queue = uniqueId('q');
    const done = await cli('jobs', 'enqueue', queue, 'noop', '--input', '{"hello":"world"}', '--key', 'greet', '--wait', '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout.trim().split('\n').pop()!)).toMatchObject({ id: `${queue}/greet`, state: 'succeeded', output: { hello: 'world' } });

    const again = await cli('jobs', 'enqueue', queue, 'noop', '--input', '{"hello":"again"}', '--key', 'greet');
    expect(again.stdout).toContain(`enqueued ${queue}/greet`);
    const status = await cli('jobs', 'status', `${queue}/greet`);
    expect(status.stdout).toContain(`${queue}/greet  succeeded, attempt 1  noop`);
    // The repeated key did not run again: the remembered output is the first one.
    expect(status.stdout).toContain('output: {"hello":"world"}');
    const list = await cli('jobs', 'list', queue, '--state', 'succeeded', '--json');
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((j) => j.id)).toEqual([`${queue}/greet`]);
    const retry = await cli('jobs', 'retry', `${queue}/greet`);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain(`job "${queue}/greet" is succeeded; only a failed job can be retried`);
  });

  it('names the problem and its path for a bad job, and exits 5 for an unknown one', async () => {
    const cli = (...args: string[]) => runWeft(args, { env: { TEMPORAL_ADDRESS: inject('temporalAddress') } });
    const bad = await cli('jobs', 'enqueue', 'Bad Queue', 'noop', '--retry', '{"maximumAttempts":-1}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('queue: expected a queue name');
    expect(bad.stderr).toContain('retry.maximumAttempts:');
    expect((await cli('jobs', 'status', `${uniqueId('q')}/missing`)).code).toBe(5);
    const usage = await cli('jobs', 'list', 'q', '--state', 'lost');
    expect(usage.code).toBe(2);
  });
});
