/** `weft api` as an operator runs it: refuses to start without a token, serves, and stops cleanly on SIGTERM. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/temporal/dev-server';
import { runWeft, spawnWeft, waitForOutput } from '../../helpers/cli';
import { TOKEN } from './harness';

const dagsDir = mkdtempSync(join(tmpdir(), 'weft-api-cli-'));
afterAll(() => rmSync(dagsDir, { recursive: true, force: true }));

function apiEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // A token from the developer's shell must not leak into the test.
  return { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_DAGS_DIR: dagsDir, WEFT_API_TOKEN: '', WEFT_CONFIG: '', ...extra };
}

describe('weft api', () => {
  it('refuses to start without a token, exits 3, and says how to set WEFT_API_TOKEN', async () => {
    const r = await runWeft(['api', '--port', String(await freePort())], { env: apiEnv() });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('WEFT_API_TOKEN');
    expect(r.stderr).toContain('--insecure-no-auth');
  });

  it('serves the API with WEFT_API_TOKEN, prints its address, and stops with exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawnWeft(['api', '--port', String(port)], { env: apiEnv({ WEFT_API_TOKEN: TOKEN, WEFT_API_MAX_STARTS_IN_FLIGHT: '4' }) });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const output = await waitForOutput(child, /OpenAPI/, 30_000);
    expect(output).toContain(`http://127.0.0.1:${port}`);
    expect(output).toContain('bearer token (1 configured)');
    // The bound on concurrent starts comes from the environment, like every setting.
    expect(output).toContain('at most 4 in flight to Temporal, 64 waiting up to 1000 ms');

    expect((await fetch(`http://127.0.0.1:${port}/v1/dags`)).status).toBe(401);
    const dags = await fetch(`http://127.0.0.1:${port}/v1/dags`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await dags.json()).toEqual({ dags: [] });
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('serves without a token with --insecure-no-auth, and says auth is off', async () => {
    const port = await freePort();
    const child = spawnWeft(['api', '--port', String(port), '--insecure-no-auth'], { env: apiEnv() });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const output = await waitForOutput(child, /OpenAPI/, 30_000);
    expect(output).toContain('Auth      OFF (--insecure-no-auth)');
    expect((await fetch(`http://127.0.0.1:${port}/v1/dags`)).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('exits 4 when Temporal is not reachable', async () => {
    const r = await runWeft(['api', '--port', String(await freePort())], {
      env: apiEnv({ WEFT_API_TOKEN: TOKEN, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }),
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Temporal is not reachable');
  });
});
