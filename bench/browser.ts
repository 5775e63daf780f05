/**
 * Browser benchmark of the console, on a real stack (dev server, worker, API
 * with the console) driven by Debian's Chromium:
 *
 *   run5k     the run page of a completed 5,000-node run (50 layers × 100):
 *             from navigation start until the graph's first screen is drawn
 *             (header and layers), and until every node's state is on it.
 *   plan100k  opening the plan of a 100,000-node DAG (100 layers × 1,000):
 *             from navigation start until its first screen is drawn.
 *
 * Each rep builds a fresh API (so nothing the API keeps is warm: the closed
 * run's status, the packed DAGs) and opens each page twice: `cold`, then
 * `warm`. The worker replays the closed run for every cold status query.
 * Every sample records the longest main-thread task (a frozen tab shows up
 * there) and each API request the page made: time to first byte and size.
 *
 * Usage: npx tsx bench/browser.ts [--reps N] [--keep]
 * (--keep leaves the stack up and prints its URL, for looking at it by hand.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { chromium, type Page } from 'playwright-core';
import { buildApi } from '../src/api/app';
import { WeftClient } from '../src/client/weft-client';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { telemetrySinks } from '../src/telemetry/worker';
import { ensureConsoleBuilt } from '../test/e2e/console/build';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'console');

const args = process.argv.slice(2);
const repsFlag = args.indexOf('--reps');
const REPS = repsFlag >= 0 ? Number(args[repsFlag + 1]) : 3;
const KEEP = args.includes('--keep');

/**
 * Layers × width of no-input nodes. With `parents` 2 each node is after two of
 * the previous layer (the shape bench/run.ts uses); with 1 the DAG is `width`
 * parallel chains, the deepest shape today's validator compiles at 100,000
 * nodes (its upstream check keeps every node's ancestors).
 */
function layered(name: string, layers: number, width: number, parents: 1 | 2): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const after = l === 0 ? [] : [...new Set([`n${l - 1}_${i}`, ...(parents === 2 ? [`n${l - 1}_${(i + 1) % width}`] : [])])];
      nodes.push({ id: `n${l}_${i}`, activity: 'noop', after });
    }
  }
  return { name, concurrency: 200, nodes };
}

interface Sample {
  ms: number;
  longestTaskMs: number;
  apiMs: number;
  /** Each /v1 request before the first screen: path, time to first byte, total, bytes. */
  requests: { path: string; ttfbMs: number; ms: number; bytes: number }[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Watches long main-thread tasks from the first script on, so the figure covers the whole opening. */
const LONG_TASKS = `
  window.__longest = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
    .observe({ type: 'longtask', buffered: true });
`;

/** Milliseconds from navigation start until `selector` is visible (then `then`, if given), and the longest task until then. */
async function timeToVisible(page: Page, url: string, selector: string, then?: string): Promise<Sample & { firstMs: number }> {
  await page.goto(url);
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: 120_000 });
  const firstMs = Math.round(await page.evaluate(() => performance.now()));
  if (then) await page.locator(then).first().waitFor({ state: 'attached', timeout: 120_000 });
  const rest = await page.evaluate(() => {
    // The API's share: the longest /v1 request the page made before its first screen.
    const api = (performance.getEntriesByType('resource') as unknown as { name: string; startTime: number; responseStart: number; duration: number; encodedBodySize: number }[]).filter((e) => e.name.includes('/v1/'));
    return {
      requests: api.map((e) => ({ path: new URL(e.name).pathname, ttfbMs: Math.round(e.responseStart - e.startTime), ms: Math.round(e.duration), bytes: e.encodedBodySize })),
      ms: Math.round(performance.now()),
      longestTaskMs: Math.round((globalThis as unknown as { __longest: number }).__longest),
      apiMs: Math.round(Math.max(0, ...api.map((e) => e.duration))),
    };
  });
  return { ...rest, firstMs };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await ensureConsoleBuilt();
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-browser-bench-'));
  const dagsDir = join(scratch, 'dags');
  const cleanup: Array<() => Promise<unknown>> = [async () => server.stop(), async () => rmSync(scratch, { recursive: true, force: true })];
  try {
    mkdirSync(dagsDir);
    writeFileSync(join(dagsDir, 'run5k.json'), JSON.stringify(layered('run5k', 50, 100, 2)));

    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'));
    const native = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection: native,
      taskQueue: 'bench-console',
      workflowBundle: { codePath },
      sinks: telemetrySinks(),
      activities: { noop: async (x: unknown) => x },
      interceptors: { activity: [weftActivityInterceptor] },
      maxConcurrentActivityTaskExecutions: 200,
    });
    const running = worker.run();
    cleanup.unshift(async () => (worker.shutdown(), running));
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    // Each rep gets a fresh API, so what the API keeps (closed runs' views, packed DAGs) starts cold.
    const freshApi = async (): Promise<string> => {
      const app = buildApi({ weft: new WeftClient(client, { taskQueue: 'bench-console', dagsDir }), auth: { insecureNoAuth: true } });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      cleanup.unshift(() => app.close());
      return url;
    };
    const starter = new WeftClient(client, { taskQueue: 'bench-console', dagsDir });

    const id = `run5k-${Date.now()}`;
    const t0 = Date.now();
    await starter.startRun({ dag: 'run5k', id });
    console.log(`started the 5,000-node run ${id}; load average ${load()}`);
    // describe, not getRun: nothing may query the closed run before the first cold sample.
    while (!(await client.workflow.getHandle(id).describe()).closeTime) await new Promise((r) => setTimeout(r, 2000));
    console.log(`5,000-node run ${id} finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Written only now: the catalog compiles every file on each lookup, the run's start included.
    writeFileSync(join(dagsDir, 'plan100k.json'), JSON.stringify(layered('plan100k', 100, 1000, 1)));

    const browser = await chromium.launch({
      executablePath: process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanup.unshift(() => browser.close());
    type Timed = Sample & { firstMs: number };
    const results: Record<string, Timed[]> = {};
    let url = '';
    for (let i = 0; i < REPS; i++) {
      url = await freshApi();
      for (const phase of ['cold', 'warm'] as const) {
        for (const [name, path, then] of [['run5k', `/ui/runs/${id}`, '[data-states="live"]'], ['plan100k', '/ui/dags/plan100k', undefined]] as const) {
          const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
          await context.addInitScript(LONG_TASKS);
          const page = await context.newPage();
          try {
            (results[`${name} ${phase}`] ??= []).push(await timeToVisible(page, `${url}${path}`, '[data-layout="layers"] [data-layer="0"]', then));
          } catch (err) {
            // Keep going; the screenshot shows what the page showed instead.
            mkdirSync(ARTIFACTS, { recursive: true });
            await page.screenshot({ path: join(ARTIFACTS, `bench-${name}-timeout.png`) }).catch(() => undefined);
            console.log(`${name}: no first screen within the timeout (${(err as Error).message.split('\n')[0]}); see test-artifacts/console/bench-${name}-timeout.png`);
          }
          await context.close();
        }
      }
    }
    const line = (name: string): string => {
      const r = results[name] ?? [];
      if (r.length === 0) return `${name}: no sample`;
      const states = name.startsWith('run5k') ? `; with node states: median ${median(r.map((x) => x.ms))} ms (${r.map((x) => x.ms).join(', ')})` : '';
      return `${name}: first screen median ${median(r.map((x) => x.firstMs))} ms (${r.map((x) => x.firstMs).join(', ')})${states}; longest main-thread task median ${median(r.map((x) => x.longestTaskMs))} ms (max ${Math.max(...r.map((x) => x.longestTaskMs))}); slowest API request median ${median(r.map((x) => x.apiMs))} ms`;
    };
    console.log(`node ${process.version}; load average ${load()}; ${REPS} reps`);
    for (const name of Object.keys(results).sort()) console.log(line(name));
    for (const [name, r] of Object.entries(results)) {
      for (const q of r[r.length - 1]?.requests ?? []) console.log(`  ${name} (last rep): ${q.path} first byte ${q.ttfbMs} ms, done ${q.ms} ms, ${(q.bytes / 1024).toFixed(0)} KiB`);
    }
    if (KEEP) {
      console.log(`stack up at ${url}/ui/ — Ctrl-C to stop`);
      await new Promise(() => {});
    }
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
