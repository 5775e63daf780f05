import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { httpRequest, HTTP_FAILURE_TYPES, type HttpRequestInput } from '../../../src/activities';
import { activityEnv, rejectionOf } from './support/activity-env';
import { closedPort, reply, startHttpServer, type TestHttpServer } from './support/http-server';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(async () => {
  await server.close();
});

function call(input: HttpRequestInput, env = activityEnv()): Promise<Awaited<ReturnType<typeof httpRequest.run>>> {
  return env.run(httpRequest.run, input);
}

async function failureOf(input: HttpRequestInput): Promise<ApplicationFailure> {
  const err = await rejectionOf(call(input));
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('http.request', () => {
  it('sends Idempotency-Key <workflowId>/<activityId> from the activity info', async () => {
    server.handle(reply(200, { ok: true }));
    const env = activityEnv({ activityId: 'resize/3' });
    const received = server.nextRequest();
    await call({ url: `${server.origin}/key` }, env);
    expect((await received).headers['idempotency-key']).toBe(`${env.identity.workflowId}/resize/3`);
  });

  it('keeps an Idempotency-Key the caller set', async () => {
    server.handle(reply(200, { ok: true }));
    const received = server.nextRequest();
    await call({ url: `${server.origin}/key`, headers: { 'idempotency-key': 'mine' } });
    expect((await received).headers['idempotency-key']).toBe('mine');
  });

  it('sends a JSON body and returns the JSON response parsed, with status and headers', async () => {
    server.handle((req, res) => {
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' });
      res.end(JSON.stringify({ echoed: JSON.parse(req.body) as unknown, contentType: req.headers['content-type'] }));
    });
    const body = { name: 'ünïcode', count: 3, tags: ['a', 'b'], nested: { ok: true, none: null } };
    const out = await call({ method: 'post', url: `${server.origin}/items`, body });
    expect(out.status).toBe(201);
    expect(out.headers['x-request-id']).toBe('r-1');
    expect(out.body).toEqual({ echoed: body, contentType: 'application/json' });
    expect(server.requests.at(-1)?.method).toBe('POST');
  });

  it('returns a non-JSON response as text, and adds query parameters to the URL', async () => {
    server.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`you asked for ${req.url}`);
    });
    const out = await call({ url: `${server.origin}/search?q=x`, query: { page: 2, tag: ['a', 'b'], skip: null } });
    expect(out.body).toBe('you asked for /search?q=x&page=2&tag=a&tag=b');
  });

  it('fails retryably with HttpServerError on a 5xx, with the status and a truncated body in the details', async () => {
    server.handle(reply(500, 'x'.repeat(10_000)));
    const failure = await failureOf({ url: `${server.origin}/boom` });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.serverError);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('HTTP 500');
    const details = failure.details?.[0] as { status: number; body: string };
    expect(details.status).toBe(500);
    expect(details.body.length).toBeLessThan(2100);
  });

  it('fails non-retryably with HttpClientError on a 404', async () => {
    server.handle(reply(404, { error: 'no such item' }));
    const failure = await failureOf({ url: `${server.origin}/items/42` });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.clientError);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('no such item');
    expect(failure.details?.[0]).toMatchObject({ status: 404 });
  });

  it('fails retryably on a 429 and sets the next retry delay from Retry-After seconds', async () => {
    server.handle(reply(429, { error: 'slow down' }, { 'retry-after': '7' }));
    const failure = await failureOf({ url: `${server.origin}/limited` });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.rateLimited);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('sets the next retry delay from a Retry-After HTTP date on a 503', async () => {
    const at = new Date(Date.now() + 30_000);
    server.handle(reply(503, 'maintenance', { 'retry-after': at.toUTCString() }));
    const failure = await failureOf({ url: `${server.origin}/maintenance` });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.serverError);
    // The header has whole seconds, so the delay is up to a second short of 30 s.
    expect(failure.nextRetryDelay).toBeGreaterThan(28_000);
    expect(failure.nextRetryDelay).toBeLessThanOrEqual(30_000);
  });

  it('treats 408 as retryable', async () => {
    server.handle(reply(408, ''));
    const failure = await failureOf({ url: `${server.origin}/slow` });
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.timeout);
  });

  it('fails non-retryably with HttpUnexpectedStatus when the status is not in expectStatus', async () => {
    server.handle(reply(200, { ok: true }));
    const failure = await failureOf({ url: `${server.origin}/created`, expectStatus: [201, 202] });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.unexpectedStatus);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('expected 201–202');
  });

  it('accepts an error status listed in expectStatus as success', async () => {
    server.handle(reply(404, { error: 'gone' }));
    const out = await call({ method: 'DELETE', url: `${server.origin}/items/1`, expectStatus: [204, 404] });
    expect(out).toMatchObject({ status: 404, body: { error: 'gone' } });
  });

  it('fails retryably with HttpTimeout when the server does not answer within the timeout', async () => {
    server.handle(() => undefined);
    const failure = await failureOf({ url: `${server.origin}/hang`, timeout: '100ms' });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.timeout);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('timed out after 100 ms');
  });

  it('fails retryably with HttpNetworkError when the connection is refused', async () => {
    const failure = await failureOf({ url: `http://127.0.0.1:${await closedPort()}/` });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.networkError);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details?.[0]).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('aborts the request when the activity is cancelled', async () => {
    server.handle(() => undefined);
    const env = activityEnv();
    const received = server.nextRequest();
    const pending = call({ url: `${server.origin}/hang`, timeout: '1h' }, env);
    const request = await received;
    env.cancel();
    expect(await rejectionOf(pending)).toBeInstanceOf(CancelledFailure);
    // The server sees the client go away: the request was aborted, not left running.
    await request.closed;
  });

  it('heartbeats while the request is in flight, so a cancellation from the workflow reaches it', async () => {
    let respond: (() => void) | undefined;
    server.handle((_req, res) => {
      respond = () => reply(200, { ok: true })(_req, res);
    });
    const env = activityEnv();
    const received = server.nextRequest();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const pending = call({ url: `${server.origin}/slow` }, env);
    await received;
    expect(beats).toBeGreaterThan(0);
    respond?.();
    expect(await pending).toMatchObject({ status: 200 });
  });

  it('fails non-retryably with HttpResponseTooLarge when the body exceeds maxResponseBytes', async () => {
    server.handle(reply(200, 'y'.repeat(5000)));
    const failure = await failureOf({ url: `${server.origin}/big`, maxResponseBytes: 1000 });
    expect(failure.type).toBe(HTTP_FAILURE_TYPES.responseTooLarge);
    expect(failure.nonRetryable).toBe(true);
  });

  it('leaves the query string out of failure messages, since it may carry credentials', async () => {
    server.handle(reply(401, 'no'));
    const failure = await failureOf({ url: `${server.origin}/private?api_key=secret123` });
    expect(failure.message).not.toContain('secret123');
    expect(JSON.stringify(failure.details)).not.toContain('secret123');
  });

  it.each([
    [{ url: 'ftp://example.test/file' }, 'url'],
    [{ url: `http://127.0.0.1/`, body: { a: 1 } }, 'body'],
    [{ url: `http://127.0.0.1/`, timeout: 'soon' }, 'timeout'],
    [{ url: `http://127.0.0.1/`, headres: {} }, 'headres'],
  ])('rejects bad input %j at path %s, without sending anything', async (input, path) => {
    const before = server.requests.length;
    const failure = await failureOf(input);
    expect(failure.type).toBe('WeftInvalidActivityInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`${path}:`);
    expect(server.requests.length).toBe(before);
  });
});
