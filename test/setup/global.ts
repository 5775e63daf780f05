/**
 * Global setup for the whole test run: obtains both real Temporal servers
 * (building them once into the cache if needed), starts one dev server for the
 * integration layer, and bundles the workflow code once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
let scratch: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const [cli, testServer] = await Promise.all([requireTemporalCli({ progress: log }), requireTestServer({ progress: log })]);
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
