/** The image pipeline example, end to end on the dev server. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../test/helpers/temporal';
import { exampleWorker } from '../../test/helpers/examples';
import { outageFile } from './activities';

let env: TestWorkflowEnvironment;
const dataDir = mkdtempSync(join(tmpdir(), 'weft-example-'));
beforeAll(async () => {
  env = await devServerEnv();
  process.env.WEFT_DATA_DIR = dataDir;
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A local webhook receiver. */
async function receiver(): Promise<{ url: string; received: Array<{ headers: IncomingHttpHeaders; body: unknown }>; close: () => void }> {
  const received: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.close() };
}

describe('example: image-pipeline', () => {
  it('resizes every image, builds the contact sheet and calls the webhook once with its idempotency key', async () => {
    const hook = await receiver();
    try {
      const { weft } = await exampleWorker(env);
      const id = uniqueId('upload');
      await weft.startRun({ dag: 'image-pipeline', id, input: { uploadId: 'u1', count: 9, width: 320, callbackUrl: hook.url } });
      const result = await env.client.workflow.getHandle(id).result();
      expect(result).toEqual({ url: 'https://cdn.example.com/sheets/u1.jpg', count: 9 });
      const run = await weft.getRun(id);
      expect(run.status?.nodes.find((n) => n.id === 'resize')).toMatchObject({ state: 'succeeded', items: { total: 9, succeeded: 9, failed: 0 } });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.headers['idempotency-key']).toBe(`${id}/notify`);
      expect(hook.received[0]!.body).toEqual({ uploadId: 'u1', sheet: 'https://cdn.example.com/sheets/u1.jpg', images: 9 });
    } finally {
      hook.close();
    }
  });

  it('skips the webhook when no callbackUrl is given', async () => {
    const { weft } = await exampleWorker(env);
    const id = uniqueId('upload');
    await weft.startRun({ dag: 'image-pipeline', id, input: { uploadId: 'u2' } });
    await env.client.workflow.getHandle(id).result();
    const run = await weft.getRun(id);
    expect(run.status?.nodes.map((n) => [n.id, n.state])).toEqual([
      ['fetch', 'succeeded'],
      ['resize', 'succeeded'],
      ['sheet', 'succeeded'],
      ['notify', 'skipped'],
    ]);
  });

  it('rejects input that does not match the DAG input schema, naming each path', async () => {
    const { weft } = await exampleWorker(env);
    await expect(weft.startRun({ dag: 'image-pipeline', input: { count: 'many' } })).rejects.toThrow(/input\.uploadId: is required[\s\S]*input\.count: must be integer/);
  });

  it('fails during an outage of the image service, and retry --from-failed completes it without fetching again', async () => {
    const { weft } = await exampleWorker(env);
    const id = uniqueId('upload');
    writeFileSync(outageFile(), 'down');
    await weft.startRun({ dag: 'image-pipeline', id, input: { uploadId: 'u3', count: 3 } });
    await expect(env.client.workflow.getHandle(id).result()).rejects.toThrow();
    const failed = await weft.listRuns({ dag: 'image-pipeline', status: 'Failed' });
    expect(failed.map((r) => r.id)).toContain(id);

    rmSync(outageFile());
    const retried = await weft.retryRun(id, { fromFailed: true });
    expect(retried.reused).toEqual(['fetch']);
    expect(await env.client.workflow.getHandle(id, retried.runId).result()).toEqual({ url: 'https://cdn.example.com/sheets/u3.jpg', count: 3 });
    const run = await weft.getRun(id);
    expect(run.status?.nodes.find((n) => n.id === 'fetch')).toMatchObject({ state: 'succeeded', reused: true });
  });
});
