/** WeftCodec on a real server: history holds compressed payloads, and runs see the original values. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WEFT_ENCODINGS, weftDataConverter } from '../../../src/payloads';
import { weftActivityInterceptor } from '../../../src/workers/interceptors';
import { devServerEnv } from '../../helpers/temporal';
import { dagRunStart, encodingOf, eventsOfType, payloadsIn, runningWorker } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** About 1 MB of JSON that compresses well. */
function report(): { rows: Array<{ id: number; status: string; note: string }> } {
  return { rows: Array.from({ length: 16_500 }, (_, id) => ({ id, status: id % 3 === 0 ? 'failed' : 'ok', note: 'nightly reconciliation row' })) };
}

describe('the codec on a real server', () => {
  it('round-trips a 1 MB activity output, and history stores it gzip-encoded and smaller', async () => {
    const dataConverter = weftDataConverter();
    const taskQueue = await runningWorker(env, {
      dataConverter,
      activities: { report: async () => report() },
      interceptors: { activity: [weftActivityInterceptor] },
    });
    const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
    const original = report();
    const originalBytes = Buffer.byteLength(JSON.stringify(original));
    expect(originalBytes).toBeGreaterThan(1_000_000);

    const handle = await client.workflow.start('dagRun', dagRunStart({ name: 'codec-1mb', nodes: [{ id: 'report', activity: 'report', mode: 'remote' }] }, taskQueue));
    expect(await handle.result()).toEqual({ report: original });

    // A client without the codec sees what the server stores (the node is remote so its output is in the
    // activity's completed event; a local node's is in a marker, which the same data converter encodes).
    const history = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const [completed] = eventsOfType(history.events ?? [], 'activityTaskCompletedEventAttributes');
    const [stored] = payloadsIn(completed!.activityTaskCompletedEventAttributes!.result);
    expect(encodingOf(stored!)).toBe(WEFT_ENCODINGS.gzip);
    expect(stored!.data!.length).toBeLessThan(originalBytes / 10);
  });
});
