/** The flaky-partner example: ignore, notify-and-continue, and ask, on the dev server. */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';
import { waitForStatus } from '../../test/helpers/dag';
import { partnerDown } from './activities';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('example: flaky-partner', () => {
  it('ignores the thumbnail, notifies ops about the push and goes on, and waits for a person to retry the booking', async () => {
    const alerts: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    Object.assign(partnerDown, { thumbnail: true, push: true, book: true });
    try {
      const { weft } = await exampleWorker(env);
      const id = uniqueId('invoice');
      await weft.startRun({ dag: 'flaky-partner', id, input: { invoiceId: 'inv-1', alertsUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/ops` } });
      const handle = env.client.workflow.getHandle(id);
      const waiting = await waitForStatus(handle, (s) => (s.nodes.find((n) => n.id === 'book')?.reason?.startsWith('failed; awaiting a decision') ? s : undefined));
      expect(Object.fromEntries(waiting.nodes.map((n) => [n.id, n.state]))).toEqual({ render: 'succeeded', thumbnail: 'succeeded', push: 'succeeded', book: 'waiting' });
      expect(waiting.nodes.find((n) => n.id === 'thumbnail')).toMatchObject({ ignoredError: true, error: { type: 'ThumbnailDown' } });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ event: 'node.failed', node: 'push', error: { message: 'partner API answered 503' } });

      partnerDown.book = false;
      await weft.resolveFailure(id, { node: 'book', action: 'retry', by: 'accounting' });
      expect(await handle.result()).toEqual({ book: { booked: 'inv-1', pushed: false } });
    } finally {
      Object.assign(partnerDown, { thumbnail: false, push: false, book: false });
      server.close();
    }
  });
});
