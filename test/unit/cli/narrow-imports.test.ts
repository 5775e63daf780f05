/**
 * `weft runs list` answers at once because its module loads only what it
 * needs. Which modules a module pulls in is checked in a fresh Node process
 * (vitest's own module graph differs from Node's), through tsx as bin/weft
 * runs the sources.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');

/** Paths of every module loaded by requiring `module` (relative to the repository). */
function loadedBy(module: string): string[] {
  const script = `require(${JSON.stringify(join(ROOT, module))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).map((p) => p.slice(ROOT.length + 1));
}

/**
 * What starting a run needs and reading runs does not. The option parsers'
 * cron and time checks (src/client/schedules/cron.ts, time.ts) import nothing
 * and cost about a millisecond, so they may load.
 */
const START_ONLY = [
  /^node_modules\/jsonata\//,
  /^node_modules\/ajv\//,
  /^src\/dag\/validate\.ts$/,
  /^src\/dag\/compile\.ts$/,
  /^src\/client\/(catalog|definitions|input-schema|queues)\.ts$/,
  /^src\/client\/schedules\/(?!cron\.ts$|time\.ts$)/,
];

const startOnly = (paths: string[]): string[] => paths.filter((p) => START_ONLY.some((re) => re.test(p)));

describe('the modules a command loads', () => {
  it('weft runs, and with it runs list and runs cancel, loads no DAG validation, JSONata, Ajv, queue or schedule code', { timeout: 60_000 }, () => {
    expect(startOnly(loadedBy('src/cli/commands/runs.ts'))).toEqual([]);
  });

  // WeftClient's `catalog` is synchronous, so DAG validation (and Ajv with it) loads with the class; runs status
  // no longer uses it (test/e2e/cli-status-loads.test.ts).
  it('a WeftClient loads the DAGs folder catalog, but not the queue client or schedules', { timeout: 60_000 }, () => {
    const notForStatus = startOnly(loadedBy('src/client/weft-client.ts')).filter((p) => /input-schema|queues|schedules/.test(p));
    expect(notForStatus).toEqual([]);
  });

  it('while the whole client library does, so the check above can tell', { timeout: 60_000 }, () => {
    expect(startOnly(loadedBy('src/client/index.ts')).length).toBeGreaterThan(5);
  });
});
