/* eslint-disable no-control-regex -- ANSI colour sequences are what this test looks at */
/**
 * `weft worker` on a terminal (a pseudo-terminal from util-linux `script`):
 * one short, coloured line per event, with the failed node's error message,
 * and none of the SDK's task tokens, encoded protos or JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { compileDag } from '../../src/dag';
import { WeftClient } from '../../src/client/weft-client';
import { devServerEnv, uniqueId } from '../helpers/temporal';
import { REPO_ROOT, waitForOutput } from '../helpers/cli';

let env: TestWorkflowEnvironment;
let worker: ChildProcess | undefined;
let out = '';
const taskQueue = uniqueId('tty');
const dataDir = mkdtempSync(join(tmpdir(), 'weft-tty-'));

beforeAll(async () => {
  env = await devServerEnv();
  const { WEFT_LOG_FORMAT: _json, ...inherited } = process.env;
  const command = `${process.execPath} --import tsx ${join(REPO_ROOT, 'src', 'cli', 'main.ts')} worker --task-queue ${taskQueue}`;
  // Its own process group, so the test can stop script, the shell and the worker together.
  worker = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...inherited, TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_WORKFLOW_BUNDLE: inject('workflowBundlePath'), WEFT_DATA_DIR: dataDir, TERM: 'xterm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  worker.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  await waitForOutput(worker, /weft worker: task queue/);
});

afterAll(async () => {
  if (worker?.pid !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    process.kill(-worker.pid, 'SIGTERM');
    await exited;
  }
  await env?.teardown();
  rmSync(dataDir, { recursive: true, force: true });
});

const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('logs on a TTY', () => {
  it('prints run started, node failed with its error, run failed and run completed as single coloured lines', async () => {
    const weft = new WeftClient(env.client, { taskQueue });
    const failing = uniqueId('fails');
    const passing = uniqueId('passes');
    await weft.startRun({
      id: failing,
      dag: compileDag({
        name: 'tty-fails',
        nodes: [{ id: 'call', activity: 'http.request', retry: { maximumAttempts: 2, initialInterval: '100ms' }, input: { method: 'GET', url: 'http://127.0.0.1:9/unreachable' } }],
      }),
    });
    await weft.startRun({ id: passing, dag: compileDag({ name: 'tty-passes', nodes: [{ id: 'only', activity: 'noop', input: { ok: true } }] }) });
    await expect.poll(() => stripAnsi(out), { timeout: 30_000, interval: 250 }).toMatch(new RegExp(`run failed dag=tty-fails run=${failing}`));
    await expect.poll(() => stripAnsi(out), { timeout: 30_000, interval: 250 }).toMatch(new RegExp(`run completed dag=tty-passes run=${passing}`));

    const lines = stripAnsi(out).split(/\r?\n/);
    const about = (id: string): string[] => lines.filter((l) => l.includes(`run=${id}`));
    expect(about(failing).find((l) => / INFO +run started /.test(l))).toBeDefined();
    expect(about(failing).find((l) => / WARN +attempt failed .*node=call attempt=1 .*error=GET http:\/\/127\.0\.0\.1:9\/unreachable failed/.test(l))).toBeDefined();
    expect(about(failing).find((l) => / WARN +node failed .*node=call error=GET http:\/\/127\.0\.0\.1:9\/unreachable failed/.test(l))).toBeDefined();
    expect(about(failing).find((l) => / ERROR +run failed /.test(l))).toBeDefined();

    expect(out).toMatch(/\u001b\[3[123]m(INFO|WARN|ERROR)/);
    expect(out).not.toContain('taskToken');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    // Nothing that looks like an encoded token or proto: long unbroken base64 runs.
    expect(lines.filter((l) => /[A-Za-z0-9+/=]{60,}/.test(l))).toEqual([]);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
  });
});
