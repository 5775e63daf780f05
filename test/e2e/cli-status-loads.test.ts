/**
 * `weft runs status` reads a run through the Temporal client alone: the whole
 * command, run as a user runs it (the sources through tsx, against the dev
 * server), loads no DAG validation, JSONata, Ajv, DAGs-folder catalog, queue
 * or schedule code. test/unit/cli/narrow-imports.test.ts checks what the
 * command modules import; this checks what the command loads while it runs,
 * lazy imports included.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { REPO_ROOT } from '../helpers/cli';

let env: TestWorkflowEnvironment;
const dir = mkdtempSync(join(tmpdir(), 'weft-status-loads-'));
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** What starting a run needs and reading one does not (the list of narrow-imports.test.ts, plus WeftClient). */
const START_ONLY = [
  /^node_modules\/jsonata\//,
  /^node_modules\/ajv\//,
  /^src\/dag\/(validate|compile|input-schema)\.ts$/,
  /^src\/client\/(catalog|definitions|input-schema|queues|weft-client|jobs)\.ts$/,
  /^src\/client\/schedules\/(?!cron\.ts$|time\.ts$)/,
];

/** Runs `weft <args>` from the sources and returns its stdout and the modules it loaded (relative to the repository). */
function weftLoads(args: string[]): { stdout: string; loaded: string[] } {
  const modules = join(dir, `${uniqueId('modules')}.json`);
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--require', join(REPO_ROOT, 'test/fixtures/cli/dump-modules.cjs'), join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, WEFT_TEST_MODULES: modules, TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_CLI_SOURCE: '1' },
  });
  const loaded = (JSON.parse(readFileSync(modules, 'utf8')) as string[]).filter((p) => p.startsWith(REPO_ROOT)).map((p) => p.slice(REPO_ROOT.length + 1));
  return { stdout, loaded };
}

describe('weft runs status', () => {
  it('shows a run and loads no DAG validation, JSONata, Ajv, catalog, queue or schedule code', async () => {
    // A closed run with no worker: status answers from describe() alone, as it does for any run whose query cannot be answered.
    const id = uniqueId('status-loads');
    const handle = await env.client.workflow.start('dagRun', { taskQueue: uniqueId('nobody'), workflowId: id, args: [{}] });
    await handle.terminate('test fixture');
    const { stdout, loaded } = weftLoads(['runs', 'status', id, '--json']);
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ id, execution: 'TERMINATED' });
    expect(loaded).toContain('src/client/run-reads.ts');
    expect(loaded.filter((p) => START_ONLY.some((re) => re.test(p)))).toEqual([]);
  });

  it('while dags validate does load them, so the check above can tell', () => {
    const { loaded } = weftLoads(['dags', 'validate', join(REPO_ROOT, 'examples/image-pipeline/dag.yaml')]);
    expect(loaded.filter((p) => START_ONLY.some((re) => re.test(p))).length).toBeGreaterThan(3);
  });
});
