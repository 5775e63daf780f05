/**
 * Admission control of starts (src/api/admission.ts), through the real API
 * app on the shared dev server. The test holds the API's start slots itself
 * (a StartGate it passes in), so which starts are refused is decided by the
 * bounds, not by how fast this machine is. No worker: runs only need to exist.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { StartGate } from '../../../src/api/admission';
import { buildApi } from '../../../src/api/app';
import { WeftClient } from '../../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { caller, eventually, TOKEN } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

interface Answer {
  key: string;
  status: number;
  retryAfter: string | null;
  body: { id?: string; runId?: string; existing?: boolean; error?: { code: string; retryable: boolean; mayExist?: boolean; id?: string; message: string } };
}

const dag = { name: 'admission', nodes: [{ id: 'a', activity: 'noop' }] };

/** The API over `gate`, on a port; `start(key)` posts a run with that Idempotency-Key. */
async function apiWith(gate: StartGate): Promise<{ start: (key: string) => Promise<Answer>; metrics: () => Promise<string>; taskQueue: string }> {
  const weft = new WeftClient(env.client, { taskQueue: uniqueId('tq-admission') });
  const app = buildApi({ weft, auth: { tokens: [TOKEN] }, starts: gate });
  const call = caller(await app.listen({ port: 0, host: '127.0.0.1' }));
  const keys: string[] = [];
  onTestFinished(async () => {
    await app.close();
    // The runs wait for a worker that never comes; end them so the shared server is left clean.
    await Promise.allSettled(keys.map((k) => env.client.workflow.getHandle(k).terminate('admission test done')));
  });
  const start = async (key: string): Promise<Answer> => {
    if (!keys.includes(key)) keys.push(key);
    const res = await call('POST', '/v1/runs', { json: { dag }, headers: { 'Idempotency-Key': key } });
    return { key, status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
  };
  return { start, metrics: async () => (await call('GET', '/metrics')).text(), taskQueue: weft.taskQueue };
}

async function exists(id: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(id).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The refusal contract: 503, Retry-After, retryable, not sent to Temporal, and the key to retry with. */
function expectRefused(a: Answer): void {
  expect({ key: a.key, status: a.status }).toEqual({ key: a.key, status: 503 });
  expect(a.retryAfter).toMatch(/^\d+$/);
  expect(a.body.error).toMatchObject({ code: 'overloaded', retryable: true, mayExist: false, id: a.key });
  expect(a.body.error!.message).toContain('same Idempotency-Key');
}

describe('admission control of starts', () => {
  it('refuses a start at once when every slot is taken and none may wait, and a retry with the same key then starts exactly one run', { timeout: 60_000 }, async () => {
    const gate = new StartGate({ maxInFlight: 1, maxQueued: 0 });
    const { start, metrics } = await apiWith(gate);
    const release = await gate.acquire();
    const key = uniqueId('admission-full');

    const refused = await start(key);
    expectRefused(refused);
    expect(await exists(key)).toBe(false);
    const scraped = await metrics();
    expect(scraped).toMatch(/^weft_api_starts_refused_total\{reason="queue_full"\} 1$/m);
    expect(scraped).toMatch(/^weft_api_starts_in_flight 1$/m);

    release();
    const first = await start(key);
    const again = await start(key);
    expect(first).toMatchObject({ status: 202, body: { id: key, existing: false } });
    expect(again).toMatchObject({ status: 202, body: { id: key, existing: true, runId: first.body.runId } });
    expect((await env.client.workflow.count(`WorkflowId = '${key}'`)).count).toBe(1);
  });

  it('refuses a start when the queue is full, and a queued start when no slot frees within the wait bound', { timeout: 60_000 }, async () => {
    const gate = new StartGate({ maxInFlight: 1, maxQueued: 1, maxQueueWaitMs: 300 });
    const { start } = await apiWith(gate);
    const release = await gate.acquire();
    const [waiter, over] = [uniqueId('admission-wait'), uniqueId('admission-over')];

    const waited = start(waiter);
    await eventually(async () => gate.queued === 1, 'the first start to queue');
    expectRefused(await start(over));
    expect(gate.refused.queue_full).toBe(1);
    // The slot is still held: the queued start is refused once its wait bound passes.
    expectRefused(await waited);
    expect(gate.refused.queue_wait).toBe(1);
    expect(await exists(waiter)).toBe(false);
    expect(await exists(over)).toBe(false);

    release();
    for (const key of [waiter, over]) expect(await start(key)).toMatchObject({ status: 202, body: { id: key, existing: false } });
  });

  it('answers a burst past its bounds with 202s and overloaded 503s only, and retries of the refused keys leave one run per key', { timeout: 120_000 }, async () => {
    const [inFlight, queued, starts, keyCount] = [2, 4, 200, 50];
    const gate = new StartGate({ maxInFlight: inFlight, maxQueued: queued, maxQueueWaitMs: 60_000 });
    const { start, taskQueue } = await apiWith(gate);
    const held = await Promise.all(Array.from({ length: inFlight }, () => gate.acquire()));
    const keys = Array.from({ length: keyCount }, (_, i) => uniqueId(`admission-burst-${i}`));

    const answers = Array.from({ length: starts }, (_, i) => start(keys[i % keyCount]!));
    // With every slot held, the first `queued` starts wait and all the others are refused at once.
    await eventually(async () => gate.queued === queued && gate.refused.queue_full === starts - queued, 'the burst to fill the queue');
    held.forEach((release) => release());
    const all = await Promise.all(answers);

    const ok = all.filter((a) => a.status === 202);
    const refused = all.filter((a) => a.status !== 202);
    expect(ok).toHaveLength(queued);
    refused.forEach(expectRefused);

    // A client retries each refused key, one at a time, with the same key.
    const accepted = [...ok];
    for (const key of new Set(refused.map((a) => a.key))) {
      const retried = await start(key);
      expect(retried.status).toBe(202);
      accepted.push(retried);
    }
    for (const key of keys) {
      const mine = accepted.filter((a) => a.key === key);
      expect({ key, runIds: new Set(mine.map((a) => a.body.runId)).size }).toEqual({ key, runIds: 1 });
      expect(mine.filter((a) => a.body.existing === false)).toHaveLength(1);
    }
    expect((await env.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count).toBe(keyCount);
  });
});
