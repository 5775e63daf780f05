/**
 * A real stack for the console's browser tests: the shared Temporal dev
 * server, a Weft worker with the test's activities on its own task queue, and
 * the API app (with the console) on a real port, driven by Debian's Chromium
 * through playwright-core. Screenshots go to test-artifacts/console/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { buildApi, type BuildApiOptions } from '../../../src/api/app';
import { CONSOLE_DIST } from '../../../src/api/console';
import { WeftClient } from '../../../src/client/weft-client';
import { weftActivityInterceptor } from '../../../src/workers/interceptors';
import type { ActivityFn } from '../../helpers/dag';
import { createTestWorker, devServerEnv } from '../../helpers/temporal';

const ROOT = join(__dirname, '..', '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
const LOCK = join(ROOT, 'console', '.build-lock');
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Builds the console once when console/dist is missing (a fresh clone). Test
 * files run in parallel, so a lock directory makes the others wait for it.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(CONSOLE_DIST, 'index.html');
  for (;;) {
    if (existsSync(index)) return;
    try {
      mkdirSync(LOCK);
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await sleep(500);
      continue;
    }
    try {
      if (existsSync(index)) return;
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'console', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`building the console failed (exit ${r.status}):\n${r.stderr}`);
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

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
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The state a node of the run graph shows (its `data-state`). */
export function nodeState(page: Page, node: string) {
  return page.locator(`[data-testid="dag-graph"] [data-node="${node}"]`).first();
}
