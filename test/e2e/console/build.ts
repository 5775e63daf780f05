/**
 * Builds the console once when console/dist is missing (a fresh clone), for
 * the browser tests and bench/browser.ts. Test files run in parallel, so a
 * lock directory makes the others wait for the one that builds. No vitest
 * import here: the benchmark runs outside vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIST } from '../../../src/api/console';

const ROOT = join(__dirname, '..', '..', '..');
const LOCK = join(ROOT, 'console', '.build-lock');
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

