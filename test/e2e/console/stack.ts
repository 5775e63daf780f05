/**
 * A real stack for the console's browser tests: the shared Temporal dev
 * server, a Weft worker with the test's activities on its own task queue, and
 * the API app (with the console) on a real port, driven by Debian's Chromium
 * through playwright-core. Screenshots go to test-artifacts/console/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { buildApi, type BuildApiOptions } from '../../../src/api/app';
import { WeftClient, WORKFLOW_TYPE } from '../../../src/client/weft-client';
import { compileDag } from '../../../src/dag';
import { packDag } from '../../../src/dag/pack';
import type { DagRunArgs } from '../../../src/workflows/dag-run';
import { weftActivityInterceptor } from '../../../src/workers/interceptors';
import type { ActivityFn } from '../../helpers/dag';
import { createTestWorker, devServerEnv } from '../../helpers/temporal';
import { ensureConsoleBuilt } from './build';

const ROOT = join(__dirname, '..', '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

export { ensureConsoleBuilt };

export interface ConsoleStack {
  env: TestWorkflowEnvironment;
  weft: WeftClient;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  url: string;
  dagsDir: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  activities: Record<string, ActivityFn>;
  /** Definition files for the DAGs folder, by file name. */
  dags: Record<string, unknown>;
  auth?: BuildApiOptions['auth'];
}

export async function startConsoleStack(o: StackOptions): Promise<ConsoleStack> {
  await ensureConsoleBuilt();
  const env = await devServerEnv();
  const { worker, taskQueue } = await createTestWorker(env, { activities: o.activities, interceptors: { activity: [weftActivityInterceptor] } });
  const running = worker.run();
  const dagsDir = mkdtempSync(join(tmpdir(), 'weft-console-dags-'));
  for (const [file, dag] of Object.entries(o.dags)) writeFileSync(join(dagsDir, file), toYaml(dag));
  const weft = new WeftClient(env.client, { taskQueue, dagsDir });
  const app = buildApi({ weft, auth: o.auth ?? { insecureNoAuth: true }, eventsPollMs: 200 });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    env,
    weft,
    app,
    url,
    dagsDir,
    stop: async () => {
      await app.close();
      worker.shutdown();
      await running;
      await env.teardown();
      rmSync(dagsDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless; Playwright's own browser download is not used. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Away from the graph, so no hover card covers it.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The state a node of the run graph shows (its `data-state`). */
export function nodeState(page: Page, node: string) {
  return page.locator(`[data-testid="dag-graph"] [data-node="${node}"]`).first();
}

/**
 * Starts a run of `definition` that continues-as-new every `events` history
 * events (a runner option the client does not expose), with the memo
 * WeftClient.startRun sets. Returns the first execution's runId.
 */
export async function startContinuingRun(stack: ConsoleStack, definition: Record<string, unknown>, id: string, events: number): Promise<string> {
  const dag = compileDag(definition);
  const args: DagRunArgs = { dag: packDag(dag), input: null, options: { continueAsNewAfterEvents: events } };
  const handle = await stack.env.client.workflow.start(WORKFLOW_TYPE, { workflowId: id, taskQueue: stack.weft.taskQueue, args: [args], memo: { weftDag: dag.name, weftDagHash: dag.hash } });
  return handle.firstExecutionRunId;
}
