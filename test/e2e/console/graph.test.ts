/**
 * The run graph in a real browser against a real stack: a map node expands
 * to its items; a node of a run that continued-as-new shows the details of
 * the execution it ran in; a node that ran as a local activity carries a
 * marker, and only that node. Screenshots go to test-artifacts/console/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { uniqueId } from '../../helpers/temporal';
import { launchBrowser, nodeState, screenshot, startConsoleStack, startContinuingRun, type ConsoleStack } from './stack';

const activities = { echo: async (x: unknown) => x };

const fanout = {
  name: 'fanout',
  // Remote: item inputs and activity events are read from history, which a local activity does not leave.
  defaults: { mode: 'remote' },
  nodes: [
    { id: 'names', activity: 'echo', input: ['ada', 'grace', 'edsger', 'barbara'] },
    { id: 'greet', after: ['names'], map: { items: '{{ nodes.names.output }}' }, activity: 'echo', input: { hello: '{{ item }}' } },
  ],
};

/** As in routes.test.ts: the side chain ends nodes on a long history, so the run continues-as-new while `each` runs. */
const carrying = {
  name: 'carrying',
  // Remote: item inputs and activity events are read from history, which a local activity does not leave.
  defaults: { mode: 'remote' },
  nodes: [
    { id: 'list', activity: 'echo', input: [1, 2, 3, 4, 5, 6] },
    { id: 'each', activity: 'echo', after: ['list'], map: { items: '{{ nodes.list.output }}', concurrency: 1 }, input: { n: '{{ item }}' } },
    ...[1, 2, 3, 4, 5].map((i) => ({ id: `side${i}`, activity: 'echo', after: [i === 1 ? 'list' : `side${i - 1}`] })),
  ],
};

const quick = {
  name: 'quick',
  nodes: [
    { id: 'fast', activity: 'echo', input: { x: 1 }, mode: 'local' },
    { id: 'slow', after: ['fast'], activity: 'echo', mode: 'remote' },
  ],
};

/** The DOM elements these tests read (test code has no DOM types). */
type Attributed = { getAttribute(name: string): string | null };

let stack: ConsoleStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack({ activities, dags: { 'fanout.yaml': fanout, 'quick.yaml': quick } }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

async function finished(id: string): Promise<void> {
  while (!(await stack.weft.getRun(id)).closedAt) await new Promise((r) => setTimeout(r, 100));
}

async function expectState(page: Page, node: string, state: string): Promise<void> {
  await expect.poll(() => nodeState(page, node).getAttribute('data-state'), { timeout: 30_000, message: `node ${node} to be ${state}` }).toBe(state);
}

describe('the run graph', () => {
  it('expands a map node to its items, each in its own state, and folds it again', async () => {
    const id = uniqueId('fanout');
    await stack.weft.startRun({ dag: 'fanout', id });
    const page = await context.newPage();
    await page.goto(`${stack.url}/ui/runs/${id}`);
    await expectState(page, 'greet', 'succeeded');
    await expect.poll(() => nodeState(page, 'greet').textContent(), { timeout: 20_000 }).toContain('items 4/4');
    expect(await page.locator('[data-item^="greet/"]').count()).toBe(0);

    await nodeState(page, 'greet').getByRole('button', { name: 'show items' }).click();
    const items = page.locator('[data-testid="dag-graph"] [data-item^="greet/"]');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(4);
    await expect.poll(async () => (await items.evaluateAll((els: Attributed[]) => els.map((e) => `${e.getAttribute('data-item')}:${e.getAttribute('data-state')}`))).sort()).toEqual(['greet/0:succeeded', 'greet/1:succeeded', 'greet/2:succeeded', 'greet/3:succeeded']);
    // Expanding does not select the node; a click on an item selects its map node.
    await expect.poll(() => page.getByRole('region', { name: 'node greet' }).count()).toBe(0);
    await page.locator('[data-item="greet/2"]').click();
    await expect.poll(() => page.getByRole('region', { name: 'node greet' }).locator('[data-item="greet/2"]').textContent(), { timeout: 20_000 }).toContain('completed');
    await screenshot(page, 'run-map-expanded');

    await nodeState(page, 'greet').getByRole('button', { name: 'hide items' }).click();
    await expect.poll(() => items.count()).toBe(0);
  });

  it('shows a node of a run that continued-as-new from the execution it ran in', async () => {
    const id = uniqueId('carrying');
    const firstRunId = await startContinuingRun(stack, carrying, id, 20);
    await finished(id);
    const page = await context.newPage();
    await page.goto(`${stack.url}/ui/runs/${id}`);
    await expectState(page, 'each', 'succeeded');
    await expect.poll(() => page.locator('.run-head').textContent(), { timeout: 20_000 }).toMatch(/generation [1-9]/);

    await nodeState(page, 'list').click();
    const details = page.getByRole('region', { name: 'node list' });
    await expect.poll(() => details.getByTestId('node-execution').textContent(), { timeout: 20_000 }).toContain(firstRunId);
    // The evaluated input, read from the first execution's history.
    await expect.poll(() => details.locator('pre').first().textContent()).toMatch(/\[\s*1,\s*2,\s*3,\s*4,\s*5,\s*6\s*\]/);

    // On its name: the middle of a map node's card holds the items toggle.
    await nodeState(page, 'each').locator('.node-id').click();
    const each = page.getByRole('region', { name: 'node each' });
    await expect.poll(() => each.locator('li[data-item]').count(), { timeout: 20_000 }).toBe(6);
    expect(await each.locator('li[data-item]', { hasText: 'earlier execution' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'run-continued-as-new');
  });

  it('marks the node that ran as a local activity, and no other', async () => {
    const id = uniqueId('quick');
    await stack.weft.startRun({ dag: 'quick', id });
    await finished(id);
    const page = await context.newPage();
    await page.goto(`${stack.url}/ui/runs/${id}`);
    await expectState(page, 'slow', 'succeeded');
    await expect.poll(() => nodeState(page, 'fast').locator('[data-mode="local"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await nodeState(page, 'slow').locator('[data-mode]').count()).toBe(0);

    await nodeState(page, 'fast').click();
    await expect.poll(() => page.getByRole('region', { name: 'node fast' }).getByTestId('node-mode').textContent(), { timeout: 20_000 }).toContain('a local activity');
    await nodeState(page, 'slow').click();
    await expect.poll(() => page.getByRole('region', { name: 'node slow' }).getByTestId('node-mode').textContent(), { timeout: 20_000 }).toBe('an activity');
    await screenshot(page, 'run-local-marker');
  });

  it('shows no mode marker when the status leaves mode out (workers before local activities)', async () => {
    const id = uniqueId('quick');
    await stack.weft.startRun({ dag: 'quick', id });
    await finished(id);
    const view = await stack.weft.getRun(id);
    const page = await context.newPage();
    await page.goto(`${stack.url}/ui/runs/${id}`);
    await expectState(page, 'slow', 'succeeded');
    const marked = view.status!.nodes.filter((n) => (n as { mode?: string }).mode === 'local').map((n) => n.id);
    // Real statuses: a marker exactly where the status says local, none anywhere else.
    expect((await page.locator('[data-testid="dag-graph"] [data-mode="local"]').evaluateAll((els: (Attributed & { closest(s: string): Attributed | null })[]) => els.map((e) => e.closest('[data-node]')?.getAttribute('data-node')))).sort()).toEqual(marked.sort());
  });
});
