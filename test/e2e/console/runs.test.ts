/**
 * The console in a real browser against a real stack: start a run from the
 * generated form and watch its nodes turn green; fail a node and retry from
 * failed on the graph; approve an approval node. Each page is screenshotted
 * into test-artifacts/console/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { uniqueId } from '../../helpers/temporal';
import { launchBrowser, nodeState, screenshot, startConsoleStack, type ConsoleStack } from './stack';

/** Flipped by the retry tests: the first attempt of `flaky` fails, a retry succeeds. */
let healed = false;
const calls: string[] = [];

const activities = {
  echo: async (x: unknown) => x,
  work: async (x: { step?: string }) => {
    // Heartbeats progress, so running nodes show it, and takes long enough to be seen running.
    const ctx = Context.current();
    for (let i = 1; i <= 3; i++) {
      ctx.heartbeat({ progress: { done: i, total: 3 } });
      await ctx.sleep(150);
    }
    return { did: x?.step ?? 'work' };
  },
  hold: async () => {
    // Runs until the run is cancelled.
    const ctx = Context.current();
    for (;;) {
      ctx.heartbeat();
      await ctx.sleep(100);
    }
  },
  flaky: async () => {
    calls.push(`flaky:${healed ? 'healed' : 'broken'}`);
    if (!healed) throw ApplicationFailure.nonRetryable('the disk is full', 'DiskFull');
    return { ok: true };
  },
};

const dags = {
  'greet.yaml': {
    name: 'greet',
    // Remote: the test reads its inputs, stacks or heartbeats, which a local activity does not leave.
    defaults: { mode: 'remote' },
    description: 'Says hello to each name',
    input: {
      type: 'object',
      required: ['greeting', 'names'],
      properties: {
        greeting: { type: 'string', minLength: 2 },
        names: { type: 'array', items: { type: 'string' } },
        times: { type: 'integer', minimum: 1 },
        loud: { type: 'boolean' },
      },
    },
    nodes: [
      { id: 'prepare', activity: 'work', input: { step: '{{ input.greeting }}' } },
      { id: 'each', after: ['prepare'], map: { items: '{{ input.names }}' }, activity: 'echo', input: { hello: '{{ item }}' } },
      { id: 'report', after: ['each'], activity: 'echo', input: { count: '{{ $count(nodes.each.output) }}' } },
    ],
  },
  'fragile.yaml': {
    name: 'fragile',
    // Remote: the test reads its inputs, stacks or heartbeats, which a local activity does not leave.
    defaults: { mode: 'remote' },
    nodes: [
      { id: 'fetch', activity: 'echo', input: { url: 'x' } },
      { id: 'store', after: ['fetch'], activity: 'flaky' },
      { id: 'notify', after: ['store'], activity: 'echo' },
    ],
  },
  'asking.yaml': {
    name: 'asking',
    // Remote: the test reads its inputs, stacks or heartbeats, which a local activity does not leave.
    defaults: { mode: 'remote' },
    nodes: [
      { id: 'charge', activity: 'flaky', onError: 'ask' },
      { id: 'receipt', after: ['charge'], activity: 'echo' },
    ],
  },
  'endless.yaml': {
    name: 'endless',
    nodes: [{ id: 'forever', activity: 'hold', timeout: { startToClose: '10m', heartbeat: '5s' } }],
  },
  'gated.yaml': {
    name: 'gated',
    nodes: [
      { id: 'build', activity: 'echo' },
      { id: 'sign-off', after: ['build'], type: 'approval', timeout: '1h' },
      { id: 'ship', after: ['sign-off'], activity: 'echo' },
    ],
  },
};

/** Waits for what the page shows; generous, because the API is slow on a loaded machine. It's a wait, not a speed check. */
const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 20_000 });

let stack: ConsoleStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack({ activities, dags }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  return page;
}

async function expectState(page: Page, node: string, state: string): Promise<void> {
  await expect.poll(() => nodeState(page, node).getAttribute('data-state'), { timeout: 30_000, message: `node ${node} to be ${state}` }).toBe(state);
}

describe('the console', () => {
  it('starts a run from the form generated from the input schema, and shows its nodes turn green', async () => {
    const page = await open('/ui/dags/greet');
    await page.getByRole('heading', { name: 'greet' }).waitFor();
    await page.locator('[data-layout="graph"] [data-node="each"]').waitFor();
    // The plan shows each node's settings on hover.
    await page.locator('[data-node="each"]').hover();
    await poll(() => page.locator('[data-node="each"] [role="tooltip"]').innerText()).toContain('map: {{ input.names }}');
    await screenshot(page, 'dag-plan');

    // Checked before submitting: a missing required field starts nothing.
    await page.getByRole('button', { name: 'Start' }).click();
    await poll(() => page.locator('.field-error').allTextContents()).toContain('required');
    expect(page.url()).toContain('/ui/dags/greet');

    const id = uniqueId('greet');
    await page.locator('input[name="greeting"]').fill('hello');
    await page.locator('input[name="names"]').fill('ada, grace');
    await page.locator('input[name="runId"]').fill(id);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(`**/ui/runs/${id}`);

    for (const node of ['prepare', 'each', 'report']) await expectState(page, node, 'succeeded');
    await poll(() => page.getByTestId('run-execution').textContent()).toBe('completed');
    await poll(() => nodeState(page, 'each').textContent()).toContain('items 2/2');

    // The run really ran with the form's input.
    const view = await stack.weft.getRun(id, { outputs: true });
    expect(view.status?.nodes.find((n) => n.id === 'each')?.output).toEqual([{ hello: 'ada' }, { hello: 'grace' }]);

    await nodeState(page, 'prepare').click();
    await poll(() => page.getByRole('region', { name: 'node prepare' }).textContent()).toContain(`${id}/prepare`);
    await poll(() => page.getByRole('region', { name: 'node prepare' }).textContent()).toContain('"step": "hello"');
    await screenshot(page, 'run');
  });

  it('shows a failed node with its error, and retries the run from failed on the graph', async () => {
    const id = uniqueId('fragile');
    healed = false;
    await stack.weft.startRun({ dag: 'fragile', id });
    const page = await open(`/ui/runs/${encodeURIComponent(id)}`);
    await expectState(page, 'store', 'failed');
    await expectState(page, 'notify', 'skipped');
    await poll(() => page.getByTestId('run-execution').textContent()).toBe('failed');

    await nodeState(page, 'store').click();
    const details = page.getByRole('region', { name: 'node store' });
    // The stack comes from the history (the node-details route), not from the status.
    await expect.poll(() => details.locator('.error-box').textContent(), { timeout: 20_000 }).toMatch(/DiskFull: the disk is full\n[\s\S]*\bat\b/);
    await screenshot(page, 'run-failed');

    healed = true;
    await details.getByRole('button', { name: 'Retry from failed' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Retry from failed' }).click();
    await poll(() => dialog.getByRole('status').textContent()).toMatch(/reusing 1 node output/);
    await dialog.getByRole('button', { name: 'Close' }).click();

    for (const node of ['fetch', 'store', 'notify']) await expectState(page, node, 'succeeded');
    await poll(() => page.getByTestId('run-execution').textContent()).toBe('completed');
    expect(calls.slice(-2)).toEqual(['flaky:broken', 'flaky:healed']);
  });

  it('approves an approval node from the graph, with a reason', async () => {
    const id = uniqueId('gated');
    await stack.weft.startRun({ dag: 'gated', id });
    const page = await open(`/ui/runs/${encodeURIComponent(id)}`);
    await expectState(page, 'sign-off', 'waiting');
    await poll(() => nodeState(page, 'sign-off').textContent()).toContain('awaiting approval');

    await nodeState(page, 'sign-off').click();
    await page.getByRole('region', { name: 'node sign-off' }).getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('textarea[name="reason"]').fill('looks good');
    await screenshot(page, 'approve-dialog');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await poll(() => dialog.getByRole('status').textContent()).toContain('sign-off: approved');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await expectState(page, 'ship', 'succeeded');
    const view = await stack.weft.getRun(id, { outputs: true });
    expect(view.status?.nodes.find((n) => n.id === 'sign-off')?.output).toMatchObject({ approved: true, reason: 'looks good', by: 'console' });
  });

  it('resolves a failed onError: ask node by retrying it', async () => {
    const id = uniqueId('asking');
    healed = false;
    await stack.weft.startRun({ dag: 'asking', id });
    const page = await open(`/ui/runs/${encodeURIComponent(id)}`);
    await expectState(page, 'charge', 'waiting');
    await poll(() => nodeState(page, 'charge').textContent()).toContain('awaiting a decision');

    healed = true;
    await nodeState(page, 'charge').click();
    await page.getByRole('region', { name: 'node charge' }).getByRole('button', { name: 'retry' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'retry' }).click();
    await poll(() => dialog.getByRole('status').textContent()).toContain('charge: retry accepted');
    await dialog.getByRole('button', { name: 'Close' }).click();
    for (const node of ['charge', 'receipt']) await expectState(page, node, 'succeeded');
  });

  it('cancels a running run after confirmation', async () => {
    const id = uniqueId('endless');
    await stack.weft.startRun({ dag: 'endless', id });
    const page = await open(`/ui/runs/${encodeURIComponent(id)}`);
    await expectState(page, 'forever', 'running');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel the run' }).click();
    await poll(() => dialog.getByRole('status').textContent()).toBe('Cancellation requested.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.getByTestId('run-execution').textContent(), { timeout: 30_000 }).toBe('cancelled');
    await expectState(page, 'forever', 'cancelled');
  });

  it('lists runs with counts by status and filters them', async () => {
    const page = await open('/ui/');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await poll(() => page.getByLabel('run counts').textContent()).toMatch(/\d+ completed/);
    await screenshot(page, 'runs');
    await page.locator('select[name="dag"]').selectOption('gated');
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(async () => (await page.locator('table.runs tbody tr td:nth-child(2)').allTextContents()).every((d) => d === 'gated')).toBe(true);
    await poll(() => page.locator('table.runs tbody tr').count()).toBeGreaterThan(0);

    for (const [path, heading] of [['/ui/schedules', 'Schedules'], ['/ui/queues', 'Queues'], ['/ui/dags', 'DAGs']] as const) {
      await page.goto(`${stack.url}${path}`);
      await page.getByRole('heading', { name: heading }).waitFor();
      await screenshot(page, heading.toLowerCase());
    }
  });
});
