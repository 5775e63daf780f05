/**
 * A node whose output is over Temporal's payload limit, on a Weft worker with
 * no claim check: the node fails at once with a non-retryable
 * `WeftOutputTooLarge` that names the node, the size and the bound, and the
 * run can be retried from the failed node. Before the worker measured
 * outputs, a local node's oversized result went into the workflow task's
 * completion, the server refused it, and the task was retried for ever.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pino from 'pino';
import { z } from 'zod';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ActivityRegistry, defineActivity } from '../../src/activities';
import { WeftClient } from '../../src/client/weft-client';
import { loadConfig } from '../../src/config/load';
import { weftDataConverter } from '../../src/payloads/data-converter';
import { statusQuery } from '../../src/workflows/messages';
import { createWeftWorker, type WeftWorker } from '../../src/workers/worker';
import { MAX_OUTPUT_PAYLOAD_BYTES } from '../../src/workers/output-limit';
import { devServerEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
const dirs: string[] = [];
beforeAll(async () => {
  env = await devServerEnv();
  process.env.WEFT_WORKFLOW_BUNDLE = inject('workflowBundlePath');
});
afterAll(async () => {
  await env?.teardown();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const MB3 = 3 * 1024 * 1024;

/** Outputs are `input.bytes` of random base64 (gzip cannot shrink it), cut to `cap` bytes: a retry after a fix lowers the cap. */
let cap = Infinity;
let calls: string[] = [];
// 3 MiB of one repeated character: gzip makes it a few KiB.
const squeeze = defineActivity({ name: 'test.squeeze', input: z.unknown(), handler: async () => 'x'.repeat(MB3) });
const produce = defineActivity({
  name: 'test.produce',
  input: z.object({ bytes: z.number().int().min(0) }),
  handler: async ({ bytes }, ctx) => {
    calls.push(ctx.idempotencyKey);
    return randomBytes(Math.ceil((Math.min(bytes, cap) * 3) / 4)).toString('base64');
  },
});

/** A Weft worker as `weft worker` builds it, claim check off, on its own task queue; stopped when `body` ends. */
async function withWorker<T>(body: (weft: WeftClient) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-limit-'));
  dirs.push(dataDir);
  const config = loadConfig({
    env: {},
    overrides: { temporal: { address: inject('temporalAddress') }, taskQueue: uniqueId('limit'), dataDir, payloads: { claimCheck: { above: 'off' } } },
  });
  const w: WeftWorker = await createWeftWorker({ config, logger: pino({ level: 'error' }), connection: env.nativeConnection, registry: new ActivityRegistry([produce, squeeze]) });
  const running = w.worker.run();
  try {
    return await body(new WeftClient(env.client, { taskQueue: config.taskQueue, searchAttributes: false }));
  } finally {
    w.worker.shutdown();
    await running;
    await w.close();
  }
}

/** The run's end, or an error saying how it is stuck (a wedged run never ends, so the test must not wait for ever). */
async function outcome(handle: WorkflowHandle, withinMs: number): Promise<unknown> {
  const ended = handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  const stuck = new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), withinMs));
  const first = await Promise.race([ended, stuck]);
  if (first !== 'stuck') return first;
  const failedTasks = ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
  await handle.terminate('test: the run is stuck');
  throw new Error(`the run did not end within ${withinMs} ms (${failedTasks} failed workflow tasks in its history)`);
}

describe('an output over the payload limit, without a claim check', () => {
  for (const mode of ['local', 'remote'] as const) {
    it(`fails its ${mode} node at once, non-retryable, naming the node, the size and the bound; retry --from-failed then re-runs only that node`, async () => {
      cap = Infinity;
      calls = [];
      await withWorker(async (weft) => {
        const def = {
          name: `output-limit-${mode}`,
          nodes: [
            { id: 'small', activity: 'test.produce', input: { bytes: 100 }, mode },
            { id: 'big', activity: 'test.produce', after: ['small'], input: { bytes: MB3 }, mode, timeout: '20s' },
          ],
        };
        const started = await weft.startRun({ dag: def, id: uniqueId('limit') });
        const handle = env.client.workflow.getHandle(started.id);
        const err = await outcome(handle, 45_000);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const big = (await handle.query(statusQuery)).nodes.find((n) => n.id === 'big')!;
        expect(big).toMatchObject({ state: 'failed', attempts: 1, error: { type: 'WeftOutputTooLarge' } });
        const message = big.error!.message;
        expect(message).toContain('"big"');
        const size = Number(/is ([\d,]+) bytes once encoded/.exec(message)?.[1]?.replaceAll(',', ''));
        expect(size).toBeGreaterThan(MAX_OUTPUT_PAYLOAD_BYTES);
        expect(message).toContain(MAX_OUTPUT_PAYLOAD_BYTES.toLocaleString('en-US'));
        expect(message).toMatch(/claim check/);
        expect(message).toMatch(/smaller output/);
        // One attempt: retrying cannot make the output smaller.
        expect(calls.filter((k) => k.endsWith('/big'))).toHaveLength(1);

        // After the fix (here: a smaller output), the run is retried from its failed node; `small` is not run again.
        cap = 1000;
        const retried = await weft.retryRun(started.id, { fromFailed: true });
        expect(retried.reused).toEqual(['small']);
        await env.client.workflow.getHandle(started.id, retried.runId).result();
        expect(calls.filter((k) => k.endsWith('/small'))).toHaveLength(1);
        expect(calls.filter((k) => k.endsWith('/big'))).toHaveLength(2);
      });
    });
  }

  it('lets a local output through that the codec compresses under the limit: the bound is on what is sent, not on the JSON', async () => {
    await withWorker(async (weft) => {
      const started = await weft.startRun({ dag: { name: 'output-limit-gzip', nodes: [{ id: 'wide', activity: 'test.squeeze', mode: 'local' }] }, id: uniqueId('gzip') });
      // The run's result is gzipped too: read it with Weft's codec.
      const handle = new Client({ connection: env.connection, dataConverter: weftDataConverter() }).workflow.getHandle(started.id);
      expect(await outcome(handle, 45_000)).toBeUndefined();
      expect(((await handle.result()) as { wide: string }).wide).toHaveLength(MB3);
    });
  });
});
