/**
 * An activity defined with `heartbeatTimeout`, started through a WeftClient
 * that knows the registry's declared heartbeats (`activityHeartbeats`), runs
 * as a remote activity under `mode: auto`, with that heartbeat timeout, and
 * its progress shows in the run's status. A client without the map compiles
 * the same DAG local: the declaration takes effect only where it is known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { z } from 'zod';
import { ActivityRegistry, defineActivity } from '../../../src/activities/registry';
import { WeftClient } from '../../../src/client/weft-client';
import { dagWorker, type ActivityFn } from '../../helpers/dag';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { eventually } from '../api/harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Reports progress, then waits until the test releases it (or it is cancelled). */
function transcoder(): { registry: ActivityRegistry; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const transcode = defineActivity({
    name: 'media.transcode',
    input: z.object({ frames: z.number() }),
    heartbeatTimeout: '30s',
    handler: async ({ frames }, ctx) => {
      ctx.progress(frames / 2, frames, 'frames');
      await Promise.race([released, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
      return { frames };
    },
  });
  return { registry: new ActivityRegistry([transcode]), release };
}

const dag = { name: 'declared-heartbeat', nodes: [{ id: 'encode', activity: 'media.transcode', input: { frames: 10 } }] };

describe('an activity that declares a heartbeat timeout', () => {
  it('runs remote under mode auto, with that heartbeat timeout, and reports progress', async () => {
    const { registry, release } = transcoder();
    const worker = await dagWorker(env, registry.toWorkerActivities() as Record<string, ActivityFn>);
    const weft = new WeftClient(env.client, { taskQueue: worker.taskQueue, activities: registry.names(), activityHeartbeats: registry.heartbeatTimeouts() });
    const { id } = await weft.startRun({ id: uniqueId('hb-declared'), dag });

    const node = await eventually(async () => (await weft.getRun(id)).status?.nodes.find((n) => n.id === 'encode' && n.progress), 'progress in the status');
    expect(node).toMatchObject({ mode: 'remote', state: 'running', progress: { done: 5, total: 10, note: 'frames' } });
    release();
    const handle = env.client.workflow.getHandle(id);
    expect(await handle.result()).toEqual({ encode: { frames: 10 } });

    const scheduled = (await handle.fetchHistory()).events?.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [])) ?? [];
    expect(scheduled).toHaveLength(1);
    expect(Number(scheduled[0]!.heartbeatTimeout?.seconds)).toBe(30);
  });

  it('runs local when the client does not know the declaration', async () => {
    const { registry, release } = transcoder();
    release();
    const worker = await dagWorker(env, registry.toWorkerActivities() as Record<string, ActivityFn>);
    const weft = new WeftClient(env.client, { taskQueue: worker.taskQueue, activities: registry.names() });
    const { id } = await weft.startRun({ id: uniqueId('hb-undeclared'), dag });
    const handle = env.client.workflow.getHandle(id);
    expect(await handle.result()).toEqual({ encode: { frames: 10 } });
    expect((await weft.getRun(id)).status?.nodes.find((n) => n.id === 'encode')).toMatchObject({ mode: 'local', state: 'succeeded' });
  });
});
