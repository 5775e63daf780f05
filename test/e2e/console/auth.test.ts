/**
 * The console under `weft api` auth: a token prompt that refuses a wrong
 * token, accepts the right one as an httpOnly SameSite=Strict cookie (never
 * in a URL), and with that cookie the API, including the event stream that
 * EventSource opens without headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { SESSION_COOKIE } from '../../../src/api/auth';
import { uniqueId } from '../../helpers/temporal';
import { launchBrowser, nodeState, screenshot, startConsoleStack, type ConsoleStack } from './stack';

const TOKEN = 'console-test-token-0123456789';

const dags = { 'one.yaml': { name: 'one', nodes: [{ id: 'only', activity: 'echo' }] } };

/** Waits for what the page shows; generous, because the API is slow on a loaded machine. It's a wait, not a speed check. */
const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: 20_000 });

let stack: ConsoleStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack({ activities: { echo: async (x: unknown) => x }, dags, auth: { tokens: [TOKEN] } }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('console auth', () => {
  it('serves the console files without a token but no data without one', async () => {
    const index = await fetch(`${stack.url}/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Paths outside the console's folder, or malformed, get the app's page, never another file.
    for (const path of ['/ui/..%2Fpackage.json', '/ui/runs/some-run']) {
      const res = await fetch(`${stack.url}${path}`);
      expect([path, res.status, (await res.text()).includes('<div id="root">')]).toEqual([path, 200, true]);
    }
    // Dot segments leave /ui before routing: no console route, so the API's auth answers.
    const escaped = await fetch(`${stack.url}/ui/%2e%2e/%2e%2e/package.json`);
    expect([escaped.status, (await escaped.text()).includes('"private"')]).toEqual([401, false]);
    // A malformed escape is the caller's mistake.
    expect((await fetch(`${stack.url}/ui/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${stack.url}/v1/console/runs`)).status).toBe(401);
    expect((await fetch(`${stack.url}/v1/console/runs`, { headers: { cookie: `${SESSION_COOKIE}=wrong-token-0123456789` } })).status).toBe(401);
  });

  it('blocks a wrong token at the prompt, and accepts the right one as an httpOnly, SameSite=Strict cookie', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${stack.url}/ui/`);
      const prompt = page.getByRole('form', { name: 'Sign in' });
      await prompt.waitFor();

      await prompt.getByLabel('API token').fill('not-the-token-0123456789');
      await prompt.getByRole('button', { name: 'Sign in' }).click();
      await poll(() => prompt.getByRole('alert').textContent()).toBe('That token is not valid.');
      expect(await context.cookies()).toEqual([]);
      expect(await page.getByRole('heading', { name: 'Runs' }).count()).toBe(0);
      await screenshot(page, 'sign-in-refused');

      await prompt.getByLabel('API token').fill(TOKEN);
      await prompt.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Runs' }).waitFor();
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: SESSION_COOKIE, httpOnly: true, sameSite: 'Strict' });
      expect(requests.filter((u) => u.includes(TOKEN))).toEqual([]);

      // The cookie also opens the run's event stream, which the graph draws from.
      const id = uniqueId('one');
      await stack.weft.startRun({ dag: 'one', id });
      await page.goto(`${stack.url}/ui/runs/${id}`);
      await expect.poll(() => nodeState(page, 'only').getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
      expect(requests.some((u) => u.endsWith(`/v1/runs/${id}/events`))).toBe(true);
      expect(requests.filter((u) => u.includes(TOKEN))).toEqual([]);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('form', { name: 'Sign in' }).waitFor();
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
