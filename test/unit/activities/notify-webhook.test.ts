import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApplicationFailure } from '@temporalio/common';
import { HTTP_FAILURE_TYPES, notifyWebhook, webhookSignature, type NotifyWebhookInput } from '../../../src/activities';
import { activityEnv, rejectionOf } from './support/activity-env';
import { reply, startHttpServer, type TestHttpServer } from './support/http-server';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  delete process.env.WEFT_TEST_WEBHOOK_SECRET;
});

function send(input: NotifyWebhookInput, env = activityEnv()): Promise<unknown> {
  return env.run(notifyWebhook.run, input);
}

describe('notify.webhook', () => {
  it('POSTs the body as JSON with the idempotency key', async () => {
    server.handle(reply(202, { queued: true }));
    const env = activityEnv({ activityId: 'notify' });
    const received = server.nextRequest();
    expect(await send({ url: `${server.origin}/hook`, body: { uploadId: 'u1' } }, env)).toMatchObject({ status: 202, body: { queued: true } });
    const req = await received;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ uploadId: 'u1' });
    expect(req.headers['idempotency-key']).toBe(`${env.identity.workflowId}/notify`);
    expect(req.headers['x-weft-signature']).toBeUndefined();
  });

  it('signs the exact bytes sent with HMAC-SHA256 when given a secret', async () => {
    server.handle(reply(200, 'ok'));
    const received = server.nextRequest();
    await send({ url: `${server.origin}/hook`, body: { amount: 12.5, note: 'ünïcode' }, secret: 's3cret' });
    const req = await received;
    const expected = createHmac('sha256', 's3cret').update(req.body).digest('hex');
    expect(req.headers['x-weft-signature']).toBe(`sha256=${expected}`);
    expect(webhookSignature('s3cret', req.body)).toBe(`sha256=${expected}`);
  });

  it('reads the secret from the worker environment with secretEnv', async () => {
    process.env.WEFT_TEST_WEBHOOK_SECRET = 'from-env';
    server.handle(reply(200, 'ok'));
    const received = server.nextRequest();
    await send({ url: `${server.origin}/hook`, secretEnv: 'WEFT_TEST_WEBHOOK_SECRET' });
    const req = await received;
    expect(req.body).toBe('{}');
    expect(req.headers['x-weft-signature']).toBe(webhookSignature('from-env', '{}'));
  });

  it('fails non-retryably when secretEnv names a variable the worker does not have', async () => {
    const failure = (await rejectionOf(send({ url: `${server.origin}/hook`, secretEnv: 'WEFT_TEST_WEBHOOK_SECRET' }))) as ApplicationFailure;
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.webhookSecretMissing);
    expect(failure.nonRetryable).toBe(true);
  });

  it('classifies failures like http.request: a 503 with Retry-After retries after it, a 400 does not retry', async () => {
    server.handle(reply(503, 'busy', { 'retry-after': '3' }));
    const busy = (await rejectionOf(send({ url: `${server.origin}/hook` }))) as ApplicationFailure;
    expect(busy).toMatchObject({ type: HTTP_FAILURE_TYPES.serverError, nonRetryable: false, nextRetryDelay: 3000 });
    server.handle(reply(400, { error: 'bad payload' }));
    const bad = (await rejectionOf(send({ url: `${server.origin}/hook` }))) as ApplicationFailure;
    expect(bad).toMatchObject({ type: HTTP_FAILURE_TYPES.clientError, nonRetryable: true });
  });

  it('treats a 3xx the client could not follow as not acknowledged', async () => {
    server.handle(reply(304, ''));
    const failure = (await rejectionOf(send({ url: `${server.origin}/hook` }))) as ApplicationFailure;
    expect(failure).toMatchObject({ type: HTTP_FAILURE_TYPES.unexpectedStatus, nonRetryable: true });
    expect(failure.message).toContain('expected 200–299');
  });

  it('rejects secret and secretEnv together', async () => {
    const failure = (await rejectionOf(send({ url: `${server.origin}/hook`, secret: 'a', secretEnv: 'B' }))) as ApplicationFailure;
    expect(failure.type).toBe('WeftInvalidActivityInput');
    expect(failure.message).toContain('secretEnv: give secret or secretEnv, not both');
  });
});
