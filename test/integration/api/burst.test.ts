/**
 * Issue 8.6: a burst of concurrent starts over a few Idempotency-Keys gets
 * answers a caller can act on. Each answer is a 202 (with one run id per key)
 * or a retryable 503: either the API refused the start before sending it
 * (`overloaded`, `mayExist: false`: past its bound on concurrent starts) or
 * Temporal did not confirm it (`mayExist: true`); a retry with the same key
 * then answers with that run. Through the real API app, against the shared dev
 * server, with no worker (runs only need to exist, not to run).
 *
 * WEFT_BURST_STARTS and WEFT_BURST_KEYS change the size (default 1,000 over 100);
 * WEFT_BURST_START_TIMEOUT_MS shortens the start deadline (default the API's
 * 30 s) to drive more starts into the 503 path.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../../../src/api/app';
import { API_LISTEN_BACKLOG } from '../../../src/api/main';
import { WeftClient } from '../../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { caller, TOKEN } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const STARTS = Number(process.env.WEFT_BURST_STARTS ?? 1000);
const KEYS = Number(process.env.WEFT_BURST_KEYS ?? 100);
const START_TIMEOUT_MS = process.env.WEFT_BURST_START_TIMEOUT_MS ? Number(process.env.WEFT_BURST_START_TIMEOUT_MS) : undefined;

interface Answer {
  key: string;
  status: number;
  retryAfter: string | null;
  body: { id?: string; runId?: string; existing?: boolean; error?: { code: string; kind: string; retryable: boolean; mayExist?: boolean; id?: string } };
}

describe(`a burst of ${STARTS} concurrent starts over ${KEYS} Idempotency-Keys`, () => {
  it('answers each with 202 or a retryable 503 that says whether the run may exist, and maps each key to one run', { timeout: 300_000 }, async () => {
    const weft = new WeftClient(env.client, { taskQueue: uniqueId('tq-burst') });
    const app = buildApi({ weft, auth: { tokens: [TOKEN] }, ...(START_TIMEOUT_MS ? { startTimeoutMs: START_TIMEOUT_MS } : {}) });
    // As `weft api` listens (API_LISTEN_BACKLOG): Node's default backlog of 511 resets connections in a burst of 1,000.
    const call = caller(await app.listen({ port: 0, host: '127.0.0.1', backlog: API_LISTEN_BACKLOG }));
    const keys = Array.from({ length: KEYS }, (_, i) => uniqueId(`burst-${i}`));
    onTestFinished(async () => {
      await app.close();
      // The runs wait for a worker that never comes; end them so the shared server is left clean.
      await Promise.allSettled(keys.map((k) => env.client.workflow.getHandle(k).terminate('burst test done')));
    });

    const dag = { name: 'burst', nodes: [{ id: 'a', activity: 'noop' }] };
    const start = async (key: string): Promise<Answer> => {
      try {
        const res = await call('POST', '/v1/runs', { json: { dag }, headers: { 'Idempotency-Key': key } });
        return { key, status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
      } catch (e) {
        console.log('[burst] fetch error', (e as Error).cause ?? e);
        return { key, status: -1, retryAfter: null, body: {} };
      }
    };
    const answers = await Promise.all(Array.from({ length: STARTS }, (_, i) => start(keys[i % KEYS]!)));

    const counts = answers.reduce<Record<number, number>>((c, a) => ({ ...c, [a.status]: (c[a.status] ?? 0) + 1 }), {});
    console.log(`[burst] ${STARTS} starts over ${KEYS} keys: ${JSON.stringify(counts)}`);

    // No answer leaves the caller unsure what to do: a 202, or a 503 saying "retry with this key", and whether the run may exist.
    expect(answers.filter((a) => a.status === -1)).toEqual([]);
    for (const a of answers) {
      if (a.status === 202) continue;
      expect({ key: a.key, status: a.status }).toEqual({ key: a.key, status: 503 });
      expect(a.retryAfter).toMatch(/^\d+$/);
      const refusedHere = a.body.error?.code === 'overloaded';
      expect(a.body.error).toMatchObject({ code: refusedHere ? 'overloaded' : 'temporal_unavailable', retryable: true, mayExist: !refusedHere, id: a.key });
    }

    // Every key eventually gets an answer: retry the keys that got no 202, as a client would.
    const accepted = answers.filter((a) => a.status === 202);
    let pending = [...new Set(answers.filter((a) => a.status !== 202).map((a) => a.key))];
    for (let round = 0; pending.length > 0 && round < 20; round++) {
      const retried = await Promise.all(pending.map(start));
      accepted.push(...retried.filter((a) => a.status === 202));
      pending = retried.filter((a) => a.status !== 202).map((a) => a.key);
    }
    expect(pending).toEqual([]);

    // One run per key: every 202 for a key names the same execution, that is the run Temporal holds,
    // and at most one answer per key claims to have started it.
    for (const key of keys) {
      const mine = accepted.filter((a) => a.key === key);
      expect(mine.length).toBeGreaterThan(0);
      const runIds = new Set(mine.map((a) => a.body.runId));
      expect({ key, runIds: runIds.size }).toEqual({ key, runIds: 1 });
      expect(mine.filter((a) => a.body.existing === false).length).toBeLessThanOrEqual(1);
      const desc = await env.client.workflow.getHandle(key).describe();
      expect(desc.runId).toBe(mine[0]!.body.runId);
    }
    const started = await env.client.workflow.count(`WorkflowId STARTS_WITH 'burst-' AND TaskQueue = '${weft.taskQueue}'`);
    expect(started.count).toBe(KEYS);
  });
});
