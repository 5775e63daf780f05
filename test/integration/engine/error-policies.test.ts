/** Per-node error policies once retries are spent: notify (then fail or continue) and ask (retry, skip, abort). */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { builtinActivities, ActivityRegistry } from '../../../src/activities';
import { WeftClient } from '../../../src/client/weft-client';
import { compileDag } from '../../../src/dag';
import { statusQuery } from '../../../src/workflows/messages';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { dagWorker, Recorder, waitForStatus, type ActivityFn } from '../../helpers/dag';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const builtins = new ActivityRegistry(builtinActivities()).toWorkerActivities() as Record<string, ActivityFn>;

async function hookServer(): Promise<{ url: string; received: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }>; close: () => void }> {
  const received: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/alerts`, received, close: () => server.close() };
}

const failing = async (): Promise<never> => {
  throw ApplicationFailure.nonRetryable('ledger is locked', 'LedgerLocked');
};

describe('onError: notify', () => {
  it('posts the failure to the webhook with the node idempotency key, then fails the run', async () => {
    const hook = await hookServer();
    try {
      const w = await dagWorker(env, { ...builtins, post: failing });
      const handle = await w.start({
        name: 'notify-fail',
        nodes: [{ id: 'post', activity: 'post', onError: 'notify', notify: { url: hook.url } }],
      });
      await expect(handle.result()).rejects.toThrow();
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.headers['idempotency-key']).toBe(`${handle.workflowId}/post/notify`);
      expect(hook.received[0]!.body).toMatchObject({ event: 'node.failed', run: handle.workflowId, dag: 'notify-fail', node: 'post', error: { message: 'ledger is locked', type: 'LedgerLocked' } });
    } finally {
      hook.close();
    }
  });

  it('with then: continue, the run goes on as if the node succeeded with a null output', async () => {
    const hook = await hookServer();
    try {
      const rec = new Recorder();
      const w = await dagWorker(env, { ...builtins, post: failing, next: rec.wrap('next') });
      const handle = await w.start({
        name: 'notify-continue',
        nodes: [
          { id: 'post', activity: 'post', onError: 'notify', notify: { url: hook.url, then: 'continue' } },
          { id: 'next', activity: 'next', after: ['post'], input: '{{ nodes.post.output }}' },
        ],
      });
      expect(await handle.result()).toEqual({ next: null });
      expect(hook.received).toHaveLength(1);
      expect((await handle.query(statusQuery)).nodes[0]).toMatchObject({ state: 'succeeded', ignoredError: true });
    } finally {
      hook.close();
    }
  });
});

describe('onError: ask', () => {
  const dag = compileDag({
    name: 'ask',
    nodes: [
      { id: 'charge', activity: 'charge', onError: 'ask', retry: { maximumAttempts: 1 } },
      { id: 'ship', activity: 'ship', after: ['charge'] },
    ],
  });

  async function start(fixed: { value: boolean }) {
    const rec = new Recorder();
    const w = await dagWorker(env, {
      charge: rec.wrap('charge', async () => {
        if (!fixed.value) throw new Error('gateway timeout');
        return 'charged';
      }),
      ship: rec.wrap('ship'),
    });
    const weft = new WeftClient(env.client, { taskQueue: w.taskQueue });
    const id = uniqueId('ask');
    await weft.startRun({ dag, id });
    const handle = env.client.workflow.getHandle(id);
    const waiting = await waitForStatus(handle, (s) => (s.nodes[0]!.reason?.startsWith('failed; awaiting a decision') ? s.nodes[0] : undefined));
    return { rec, weft, id, handle, waiting };
  }

  it('pauses the failed node for a decision, and retry runs it again under the same key', async () => {
    const fixed = { value: false };
    const { rec, weft, id, handle, waiting } = await start(fixed);
    expect(waiting).toMatchObject({ state: 'waiting', error: { message: 'gateway timeout' } });
    fixed.value = true;
    expect(await weft.resolveFailure(id, { node: 'charge', action: 'retry', by: 'ops' })).toMatchObject({ node: 'charge', action: 'retry' });
    expect(await handle.result()).toEqual({ ship: null });
    expect(rec.callsOf('charge').map((c) => c.key)).toEqual([`${id}/charge`, `${id}/charge`]);
  });

  it('skip marks the node skipped and the run follows the trigger rules', async () => {
    const { rec, weft, id, handle } = await start({ value: false });
    await weft.resolveFailure(id, { node: 'charge', action: 'skip', by: 'ops' });
    await handle.result();
    const status = await handle.query(statusQuery);
    expect(status.nodes.map((n) => [n.id, n.state])).toEqual([
      ['charge', 'skipped'],
      ['ship', 'skipped'],
    ]);
    expect(status.nodes[0]!.reason).toBe('skipped by ops after failing: gateway timeout');
    expect(rec.order()).toEqual(['charge']);
  });

  it('abort fails the node and the run', async () => {
    const { weft, id, handle } = await start({ value: false });
    await weft.resolveFailure(id, { node: 'charge', action: 'abort', by: 'ops' });
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.query(statusQuery)).nodes[0]).toMatchObject({ state: 'failed', error: { type: 'WeftFailureAborted', message: 'aborted by ops after failing: gateway timeout' } });
  });

  it('refuses a decision for a node that is not waiting for one', async () => {
    const { weft, id } = await start({ value: false });
    await expect(weft.resolveFailure(id, { node: 'ship', action: 'retry' })).rejects.toThrow();
    await weft.resolveFailure(id, { node: 'charge', action: 'abort' });
  });
});
