/**
 * Issue 8.8: the OpenAPI document says what the code enforces, a bad token is
 * blamed on where it came from, and `weft api` reports the address it is
 * really bound to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startApiServer } from '../../../src/api/main';
import { WeftClient } from '../../../src/client/weft-client';
import { ConfigError, loadConfig } from '../../../src/config/load';
import { freePort } from '../../../src/temporal/dev-server';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, TOKEN } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** A folder with no weft.config.* in it, so only the env given counts. */
function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-cfg-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Json = Record<string, unknown>;

describe('the OpenAPI document says what the code enforces', () => {
  async function doc(): Promise<{ paths: Record<string, Record<string, { parameters: Array<{ name: string; schema: Json }>; responses: Json }>>; components: { schemas: Record<string, Json> } }> {
    const api = await apiFor(env, {});
    return (await (await api.call('GET', '/openapi.json')).json()) as Awaited<ReturnType<typeof doc>>;
  }

  it('types ?status= on GET /v1/runs as an enum of the values the API accepts', async () => {
    const d = await doc();
    const status = d.paths['/v1/runs']!.get!.parameters.find((p) => p.name === 'status')!;
    expect(status.schema.enum).toEqual(['running', 'completed', 'failed', 'canceled', 'terminated', 'timed-out', 'continued-as-new']);
  });

  it('accepts every value the enum lists, and refuses others', async () => {
    const api = await apiFor(env, {});
    for (const s of ['running', 'completed', 'failed', 'canceled', 'terminated', 'timed-out', 'continued-as-new', 'TIMED_OUT', 'cancelled']) {
      expect([s, (await api.call('GET', `/v1/runs?status=${s}&limit=1`)).status]).toEqual([s, 200]);
    }
    expect((await api.call('GET', '/v1/runs?status=sleeping')).status).toBe(400);
  });

  it('says "give delay or at, not both" in the start request schema', async () => {
    const d = await doc();
    expect(d.components.schemas.StartRunRequest).toMatchObject({ not: { required: ['delay', 'at'] } });
  });

  it('lists 401, 404, 414 and 503 on routes with an id, and 413 and 415 on routes with a body', async () => {
    const d = await doc();
    expect(Object.keys(d.paths['/v1/runs/{id}']!.get!.responses).sort()).toEqual(['200', '400', '401', '404', '414', '500', '503']);
    expect(Object.keys(d.paths['/v1/runs/{id}/retry']!.post!.responses)).toEqual(expect.arrayContaining(['401', '404', '409', '413', '414', '415', '503']));
  });

  it('describes the error shape: code, kind, message, retryable, and mayExist for starts', async () => {
    const d = await doc();
    const error = (d.components.schemas.Error as { properties: { error: { properties: Json; required: string[] } } }).properties.error;
    expect(Object.keys(error.properties)).toEqual(expect.arrayContaining(['code', 'kind', 'message', 'retryable', 'issues', 'mayExist', 'id']));
    expect(error.required.sort()).toEqual(['code', 'kind', 'message', 'retryable']);
  });
});

describe('config errors name where the value came from', () => {
  it('blames a too-short WEFT_API_TOKEN on the env var, not on a default', () => {
    let caught: unknown;
    try {
      loadConfig({ env: { WEFT_API_TOKEN: 'short' }, cwd: emptyDir() });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([expect.objectContaining({ path: 'api.tokens.0', source: 'env WEFT_API_TOKEN' })]);
    expect((caught as Error).message).not.toContain('(default)');
  });
});

describe('weft api reports the address it listens on', () => {
  it('says http://0.0.0.0:<port> when bound to every interface, not 127.0.0.1', async () => {
    const port = await freePort();
    const config = loadConfig({ env: { WEFT_API_TOKEN: TOKEN, WEFT_API_HOST: '0.0.0.0', WEFT_API_PORT: String(port) }, cwd: emptyDir() });
    const server = await startApiServer(config, new WeftClient(env.client, { taskQueue: uniqueId('tq') }));
    onTestFinished(() => server.close());
    expect(server.url).toBe(`http://0.0.0.0:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
