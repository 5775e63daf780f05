/**
 * Global setup for the whole test run: obtains both real Temporal servers
 * (building them once into the cache if needed), starts one dev server for the
 * integration layer, and bundles the workflow code once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { requireTemporalCli, requireTestServer } from '../../src/temporal/servers';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { writeWorkflowBundle } from '../../src/workers/bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the shared dev server. */
    temporalAddress: string;
    /** Path of the Java time-skipping test server wrapper. */
    testServerPath: string;
    /** Workflow bundle with Weft's workflows plus the test fixtures. */
    workflowBundlePath: string;
  }
}

const log = (msg: string): void => console.log(`[weft:test] ${msg}`);

let server: DevServer | undefined;

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:55432/weft_test';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(Number(port || 5432), hostname);
  });
}

/**
 * PostgreSQL for the tests that need one: WEFT_TEST_DATABASE_URL if set, else
 * the local cluster scripts/ci-postgres.sh installs and starts (idempotent).
 */
async function ensurePostgres(): Promise<void> {
  if (process.env.WEFT_TEST_DATABASE_URL) return;
  if (!(await reachable(DEFAULT_DATABASE_URL))) {
    log('starting PostgreSQL with scripts/ci-postgres.sh');
    const r = spawnSync('bash', [join(__dirname, '..', '..', 'scripts', 'ci-postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) {
      log(`could not start PostgreSQL (exit ${r.status}); the PostgreSQL tests will fail and say how to provide one`);
      return;
    }
  }
  process.env.WEFT_TEST_DATABASE_URL = DEFAULT_DATABASE_URL;
}
let scratch: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const [cli, testServer] = await Promise.all([requireTemporalCli({ progress: log }), requireTestServer({ progress: log }), ensurePostgres()]);
  log(`Temporal CLI: ${cli.path} (${cli.source}); time-skipping test server: ${testServer.path} (${testServer.source})`);
  scratch = mkdtempSync(join(tmpdir(), 'weft-test-'));
  const bundleStarted = Date.now();
  const [devServer, bundlePath] = await Promise.all([
    startDevServer({ cliPath: cli.path }),
    writeWorkflowBundle(join(scratch, 'workflow-bundle.js'), join(__dirname, '..', 'fixtures', 'workflows')),
  ]);
  server = devServer;
  log(`Temporal dev server ${server.version} listening on ${server.address} (pid ${server.pid}, ready in ${server.startupMs} ms)`);
  log(`workflow bundle ready in ${Date.now() - bundleStarted} ms; global setup took ${Date.now() - t0} ms`);
  project.provide('temporalAddress', server.address);
  project.provide('testServerPath', testServer.path);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
}
