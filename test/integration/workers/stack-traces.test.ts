/**
 * `worker.workflowStackTraces`: Weft's workers start their workflow threads
 * without the SDK's per-promise stack capture unless told otherwise, and the
 * `__stack_trace` query (the Temporal UI's "Stack trace" tab) says which.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pino from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../../src/config/load';
import { compileDag } from '../../../src/dag';
import { packDag } from '../../../src/dag/pack';
import { statusQuery } from '../../../src/workflows/messages';
import { createWeftWorker } from '../../../src/workers/worker';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

let env: TestWorkflowEnvironment;
const dirs: string[] = [];
beforeAll(async () => {
  env = await devServerEnv();
  process.env.WEFT_WORKFLOW_BUNDLE = inject('workflowBundlePath');
});
afterAll(async () => {
  await env?.teardown();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs a DAG that waits for an approval on a Weft worker made from `settings`, and returns what `__stack_trace` answers. */
async function stackTraceOf(settings: Record<string, unknown>, environment: NodeJS.ProcessEnv = {}): Promise<{ state: string; answer: PromiseSettledResult<string> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-stack-'));
  dirs.push(dataDir);
  const config = loadConfig({ env: environment, overrides: { temporal: { address: inject('temporalAddress') }, taskQueue: uniqueId('stack'), dataDir, ...settings } });
  const weft = await createWeftWorker({ config, logger: pino({ level: 'warn' }), connection: env.nativeConnection });
  const running = weft.worker.run();
  try {
    const dag = packDag(compileDag({ name: 'waits', nodes: [{ id: 'wait', type: 'approval', timeout: '1h' }] }));
    const handle = await env.client.workflow.start('dagRun', { taskQueue: config.taskQueue, workflowId: uniqueId('waits'), args: [{ dag }] });
    for (let i = 0; (await handle.query(statusQuery)).nodes[0]?.state !== 'waiting'; i++) {
      if (i > 100) throw new Error('the approval node never started waiting');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [answer] = await Promise.allSettled([handle.query<string>('__stack_trace')]);
    await handle.terminate('test done');
    return { state: weft.workflowStackTraces, answer };
  } finally {
    weft.worker.shutdown();
    await running;
    await weft.close();
  }
}

describe('worker.workflowStackTraces', () => {
  it('is off by default: the workflow threads capture no stacks, and __stack_trace says it is not enabled', async () => {
    const { state, answer } = await stackTraceOf({});
    expect(state).toBe('off');
    expect(answer.status).toBe('rejected');
    expect(String((answer as PromiseRejectedResult).reason)).toMatch(/stack traces are not enabled/i);
  });

  it('when on (WEFT_WORKFLOW_STACK_TRACES=true), __stack_trace answers with where the workflow waits', async () => {
    const { state, answer } = await stackTraceOf({}, { WEFT_WORKFLOW_STACK_TRACES: 'true' });
    expect(state).toBe('on');
    expect(answer.status).toBe('fulfilled');
    expect((answer as PromiseFulfilledResult<string>).value).toMatch(/src\/workflows\//);
  });

  it('an explicit setting beats the environment', async () => {
    const { state } = await stackTraceOf({ worker: { workflowStackTraces: false } }, { WEFT_WORKFLOW_STACK_TRACES: 'on' });
    expect(state).toBe('off');
  });
});
