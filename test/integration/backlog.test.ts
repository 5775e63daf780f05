/**
 * The task-queue backlog (DescribeTaskQueue with stats, what KEDA's temporal
 * scaler reads): runs started while no worker polls pile up in it, and it
 * drains once a worker starts. Seen through the client function, the CLI
 * and the API. The server refreshes these stats every few seconds, so every
 * check polls.
 */
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../../src/api/app';
import { readTaskQueueBacklog, type TaskQueueBacklog } from '../../src/client/backlog';
import { WeftClient } from '../../src/client/weft-client';
import { packDag } from '../../src/dag/pack';
import type { DagRunArgs } from '../../src/workflows';
import { compiled, dagWorker } from '../helpers/dag';
import { runWeft } from '../helpers/cli';
import { devServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const RUNS = 12;
const dag = compiled({ name: 'backlog-probe', nodes: [{ id: 'a', activity: 'echo', input: '{{ input }}' }] });
const TOKEN = 'backlog-test-token-0123456789';

async function startRuns(taskQueue: string): Promise<string[]> {
  const ids = Array.from({ length: RUNS }, (_, i) => uniqueId(`backlog-${i}`));
  await Promise.all(ids.map((workflowId, i) => env.client.workflow.start('dagRun', { taskQueue, workflowId, args: [{ dag: packDag(dag), input: i } satisfies DagRunArgs] })));
  return ids;
}

describe('task queue backlog', () => {
  it('counts runs waiting while no worker polls, then drains to zero when a worker starts', async () => {
    const taskQueue = uniqueId('backlog');
    const ids = await startRuns(taskQueue);

    let filled: TaskQueueBacklog | undefined;
    await expect.poll(async () => (filled = await readTaskQueueBacklog(env.client, taskQueue)).backlogCount, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(RUNS);
    const wf = filled!.types.find((t) => t.kind === 'workflow')!;
    expect(wf.backlogCount).toBeGreaterThanOrEqual(RUNS);
    expect(wf.pollers).toBe(0);
    expect(filled!.backlogAgeMs).toBeGreaterThan(0);

    await dagWorker(env, { echo: async (x: unknown) => x }, { taskQueue });
    const results = await Promise.all(ids.map((id) => env.client.workflow.getHandle(id).result()));
    expect(results).toHaveLength(RUNS);

    await expect.poll(async () => (await readTaskQueueBacklog(env.client, taskQueue)).backlogCount, { timeout: 30_000, interval: 500 }).toBe(0);
    const drained = await readTaskQueueBacklog(env.client, taskQueue);
    expect(drained.types.find((t) => t.kind === 'workflow')!.pollers).toBeGreaterThan(0);
  });

  it('shows the same backlog in `weft queue status` and GET /v1/task-queues/:name/backlog', async () => {
    const taskQueue = uniqueId('backlog');
    const ids = await startRuns(taskQueue);
    // Nobody will serve these runs: end them so the dev server does not keep them open.
    onTestFinished(async () => void (await Promise.allSettled(ids.map((id) => env.client.workflow.getHandle(id).terminate('test over')))));
    const app = buildApi({ auth: { tokens: [TOKEN] }, weft: new WeftClient(env.client, { taskQueue }) });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    onTestFinished(() => app.close());

    const viaApi = async () => {
      const res = await fetch(`${url}/v1/task-queues/${taskQueue}/backlog?types=workflow`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as TaskQueueBacklog;
    };
    await expect.poll(async () => (await viaApi()).backlogCount, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(RUNS);
    expect((await viaApi()).types.map((t) => t.kind)).toEqual(['workflow']);

    const cli = (...args: string[]) => runWeft(args, { env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_TASK_QUEUE: taskQueue } });
    const json = await cli('queue', 'status', '--json');
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as TaskQueueBacklog).backlogCount).toBeGreaterThanOrEqual(RUNS);
    const text = await cli('queue', 'status');
    expect(text.stdout).toContain(`task queue ${taskQueue} (namespace default):`);
    expect(text.stdout).toContain('no worker polls this task queue');

    const bad = await fetch(`${url}/v1/task-queues/${taskQueue}/backlog?types=nexus`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
  });
});
