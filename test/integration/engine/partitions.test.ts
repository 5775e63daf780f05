/**
 * Partitioned runs (docs/interpreter.md, "Scale"): a DAG past the threshold
 * runs as `dagPartition` child workflows, and stays one run to its users:
 * each node once, with its usual idempotency key, data crossing partitions,
 * fail-fast, retry --from-failed, cancellation and one status. The threshold
 * is lowered here (partitions of 50 above 100 nodes) so the DAGs stay small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { compileDag } from '../../../src/dag';
import { packDag } from '../../../src/dag/pack';
import { idempotencyKeyOf } from '../../../src/activities/context';
import { WeftClient } from '../../../src/client/weft-client';
import { statusQuery, type RunStatus } from '../../../src/workflows/messages';
import type { DagRunArgs } from '../../../src/workflows';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { dagWorker, type ActivityFn } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const PARTITIONS = { above: 100, size: 50 };

/** `layers` × `width` nodes; each reads the output of one node of the layer before and adds 1. */
function layered(name: string, layers: number, width: number, extra: Array<Record<string, unknown>> = []): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const after = l === 0 ? [] : [`n${l - 1}_${i}`, `n${l - 1}_${(i + 1) % width}`];
      nodes.push({ id: `n${l}_${i}`, activity: 'noop', after, input: l === 0 ? i : `{{ nodes.n${l - 1}_${i}.output + 1 }}`, retry: { maximumAttempts: 1 } });
    }
  }
  return { name, concurrency: 20, nodes: [...nodes, ...extra] };
}

/** Records each call's node and idempotency key (as the activity context computes it). */
class Calls {
  readonly keys: string[] = [];
  readonly nodes: string[] = [];
  wrap(impl: ActivityFn = async (x: unknown) => x): ActivityFn {
    return async (input: unknown) => {
      const info = Context.current().info;
      this.nodes.push(info.activityId);
      this.keys.push(idempotencyKeyOf(info));
      return impl(input);
    };
  }
}

async function start(taskQueue: string, dag: Record<string, unknown>, workflowId = uniqueId(String(dag.name))) {
  const args: DagRunArgs = { dag: packDag(compileDag(dag)), input: null, partitions: PARTITIONS };
  return env.client.workflow.start('dagRun', { taskQueue, workflowId, args: [args] });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('partitioned runs', () => {
  it('runs every node once across partitions, with cross-partition data, the run id and one status', async () => {
    const calls = new Calls();
    const w = await dagWorker(env, { noop: calls.wrap() });
    // 300 layered nodes, then two that read across many partitions: an ancestor by expression only, and run.id.
    const dag = layered('partitioned', 30, 10, [
      { id: 'far', activity: 'noop', after: ['n29_0'], input: '{{ nodes.n0_3.output * 1000 + nodes.n29_0.output }}' },
      { id: 'who', activity: 'noop', after: ['far'], input: '{{ run.id }}' },
    ]);
    const handle = await start(w.taskQueue, dag);
    const result = (await handle.result()) as Record<string, unknown>;

    expect(calls.nodes).toHaveLength(302);
    expect(new Set(calls.nodes).size).toBe(302);
    // Keys are the run's, not the child workflows': <run id>/<node id>.
    expect(new Set(calls.keys)).toEqual(new Set(calls.nodes.map((n) => `${handle.workflowId}/${n}`)));
    // Each last-layer node carries its first-layer index plus 29 increments; `far` read a node six partitions back.
    expect(result.n29_7).toBe(7 + 29);
    expect(result.who).toBe(handle.workflowId);
    expect(Object.keys(result).sort()).toEqual(['n29_1', 'n29_2', 'n29_3', 'n29_4', 'n29_5', 'n29_6', 'n29_7', 'n29_8', 'n29_9', 'who']);

    const status = await handle.query(statusQuery);
    expect(status.state).toBe('succeeded');
    expect(status.counts.succeeded).toBe(302);
    expect(status.partitions?.map((p) => [p.start, p.end, p.state])).toEqual([
      [0, 50, 'done'],
      [50, 100, 'done'],
      [100, 150, 'done'],
      [150, 200, 'done'],
      [200, 250, 'done'],
      [250, 300, 'done'],
      [300, 302, 'done'],
    ]);
    const child = await env.client.workflow.getHandle(status.partitions![6]!.workflowId).describe();
    expect(child.type).toBe('dagPartition');
    expect(child.status.name).toBe('COMPLETED');
  });

  it('keeps a DAG at or below the threshold in one workflow', async () => {
    const w = await dagWorker(env, { noop: async (x: unknown) => x });
    const handle = await start(w.taskQueue, layered('small', 10, 10));
    await handle.result();
    const status = await handle.query(statusQuery);
    expect(status.partitions).toBeUndefined();
    expect(status.counts.succeeded).toBe(100);
  });

  it('fails the run at a failing node, skips the rest, and retry --from-failed reuses outputs across partitions', async () => {
    let broken = true;
    const calls = new Calls();
    const w = await dagWorker(env, {
      noop: calls.wrap(),
      flaky: calls.wrap(async (x: unknown) => {
        if (broken) throw new Error('flaky is down');
        return x;
      }),
    });
    const dag = layered('retry-partitions', 20, 10);
    // n10_4 is in the third partition (nodes 100–149); it reads n9_4, in the second.
    const nodes = dag.nodes as Array<Record<string, unknown>>;
    nodes.find((n) => n.id === 'n10_4')!.activity = 'flaky';
    const handle = await start(w.taskQueue, dag);
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toContain('node "n10_4" failed: flaky is down');

    const status: RunStatus = await handle.query(statusQuery);
    expect(status.state).toBe('failed');
    expect(status.error?.node).toBe('n10_4');
    const byId = new Map(status.nodes.map((n) => [n.id, n]));
    expect(byId.get('n10_4')?.state).toBe('failed');
    expect(byId.get('n0_0')?.state).toBe('succeeded');
    // A later partition never started: its nodes are skipped, with the reason.
    expect(byId.get('n19_9')).toMatchObject({ state: 'skipped', reason: 'the run failed at node n10_4' });
    expect(status.partitions?.map((p) => p.state)).toEqual(['done', 'done', 'done', 'pending']);
    const firstRun = new Set(calls.nodes);
    const succeeded = status.nodes.filter((n) => n.state === 'succeeded').map((n) => n.id);

    broken = false;
    calls.nodes.length = 0;
    const weft = new WeftClient(env.client);
    const retried = await weft.retryRun(handle.workflowId, { fromFailed: true });
    expect(retried.reused.sort()).toEqual(succeeded.sort());
    const result = (await env.client.workflow.getHandle(handle.workflowId).result()) as Record<string, number>;
    expect(result.n19_4).toBe(4 + 19);
    // Nothing that succeeded ran again; everything else ran once.
    expect(calls.nodes.filter((n) => succeeded.includes(n))).toEqual([]);
    expect(calls.nodes.length + succeeded.length).toBe(200);
    expect(firstRun.has('n10_4')).toBe(true);
    const after = await env.client.workflow.getHandle(handle.workflowId).query(statusQuery);
    expect(after.counts.succeeded).toBe(200);
    expect(after.nodes.find((n) => n.id === 'n0_0')?.reused).toBe(true);
  });

  it('shows the running partition live through getRun, and a cancellation reaches the child', async () => {
    let cancelled = 0;
    const w = await dagWorker(env, {
      noop: async (x: unknown) => x,
      block: async () => {
        // Heartbeats until cancelled; the cancellation arrives with a heartbeat.
        for (;;) {
          try {
            Context.current().heartbeat();
            await Context.current().sleep(100);
          } catch (e) {
            cancelled++;
            throw e;
          }
        }
      },
    });
    const dag = layered('cancel-partitions', 20, 10);
    const nodes = dag.nodes as Array<Record<string, unknown>>;
    Object.assign(nodes.find((n) => n.id === 'n7_2')!, { activity: 'block', timeout: { startToClose: '5m', heartbeat: '2s' } });
    const handle = await start(w.taskQueue, dag);
    const weft = new WeftClient(env.client);

    // While the second partition runs, the status the client reads shows its nodes as its child sees them.
    const view = await until('n7_2 to run', async () => {
      const v = await weft.getRun(handle.workflowId);
      return v.status?.nodes.find((n) => n.id === 'n7_2')?.state === 'running' ? v : undefined;
    });
    const status = view.status!;
    expect(status.partitions?.[1]?.state).toBe('running');
    expect(status.nodes.find((n) => n.id === 'n0_0')?.state).toBe('succeeded');
    expect(Object.values(status.counts).reduce((a, b) => a + b, 0)).toBe(200);
    expect(status.counts.running).toBeGreaterThanOrEqual(1);

    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const described = await handle.describe();
    expect(described.status.name).toBe('CANCELLED');
    // Activities are cancelled with TRY_CANCEL, as in one workflow: the run does not wait, the activity learns at its next heartbeat.
    await until('the blocked activity to be cancelled', async () => (cancelled === 1 ? true : undefined));
    const final = await handle.query(statusQuery);
    expect(final.state).toBe('cancelled');
    expect(final.nodes.find((n) => n.id === 'n7_2')?.state).toBe('cancelled');
    expect(final.nodes.find((n) => n.id === 'n19_0')).toMatchObject({ state: 'cancelled', reason: 'the run was cancelled' });
    const child = await env.client.workflow.getHandle(status.partitions![1]!.workflowId).describe();
    expect(child.status.name).toBe('COMPLETED');
  });

  it('forwards an approval to the partition that waits for it', async () => {
    const w = await dagWorker(env, { noop: async (x: unknown) => x });
    const dag = layered('approve-partitions', 15, 10, [{ id: 'gate', type: 'approval', after: ['n14_0'] }, { id: 'last', activity: 'noop', after: ['gate'], input: 'done' }]);
    const handle = await start(w.taskQueue, dag);
    const weft = new WeftClient(env.client);
    // Decisions for a partition that has not started are refused with the reason.
    const early = await weft.decide(handle.workflowId, { node: 'gate', decision: 'approve' }).then(
      () => 'accepted',
      (e: WorkflowUpdateFailedError) => (e.cause as Error).message,
    );
    expect(early).toMatch(/node "gate" is not waiting for a decision: its partition \(4 of 4\) has not started yet/);
    await until('the gate to wait', async () => ((await weft.getRun(handle.workflowId)).status?.nodes.find((n) => n.id === 'gate')?.state === 'waiting' ? true : undefined));
    await weft.decide(handle.workflowId, { node: 'gate', decision: 'approve', by: 'test' });
    expect(((await handle.result()) as Record<string, unknown>).last).toBe('done');
  });
});
