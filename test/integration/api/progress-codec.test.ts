/**
 * Issue 9.5: with payload encryption on, the progress an activity reports
 * through its heartbeats must still show in the run's status (it used to be
 * read with JSON.parse and silently dropped).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { progress } from '../../../src/activities/context';
import { WeftClient } from '../../../src/client/weft-client';
import { WEFT_ENCODINGS, weftDataConverter } from '../../../src/payloads';
import { dagWorker } from '../../helpers/dag';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { eventually, Gates } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('run progress with the AES payload codec on', () => {
  it("shows the progress an activity heartbeats, decoded with the client's codec", async () => {
    const dataConverter = weftDataConverter({ encryptionKey: randomBytes(32) });
    const gates = new Gates();
    const worker = await dagWorker(
      env,
      {
        crunch: async () => {
          progress(3, 10, 'rows');
          return gates.activity({ node: 'crunch' });
        },
      },
      { dataConverter },
    );
    const temporal = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
    const weft = new WeftClient(temporal, { taskQueue: worker.taskQueue });
    const { id } = await weft.startRun({ id: uniqueId('progress'), dag: { name: 'progress', nodes: [{ id: 'crunch', activity: 'crunch', mode: 'remote' }] } });

    // The server holds the heartbeat encrypted (describe() leaves raw payloads as stored): JSON.parse cannot read it.
    const raw = await eventually(async () => {
      const desc = await temporal.workflow.getHandle(id).describe();
      return desc.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    }, 'the heartbeat to reach the server');
    expect(Buffer.from(raw.metadata!.encoding!).toString()).toBe(WEFT_ENCODINGS.aes256gcm);

    const node = await eventually(async () => (await weft.getRun(id)).status?.nodes.find((n) => n.id === 'crunch' && n.progress), 'progress in the status');
    expect(node.progress).toEqual({ done: 3, total: 10, note: 'rows' });
    gates.release('crunch');
    await temporal.workflow.getHandle(id).result();
  });
});
