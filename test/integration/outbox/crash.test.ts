/**
 * A relay killed mid-batch loses nothing and duplicates nothing: its
 * transaction rolls back, so the rows become claimable again, and the
 * restarted relay's repeated starts return the runs that exist.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OutboxRelay, outboxStatus } from '../../../src/outbox';
import { REPO_ROOT } from '../../helpers/cli';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { exampleWorker } from '../../helpers/examples';
import { noopDag, resolverFor } from './dags';
import { DATABASE_URL, enqueueCommitted, outboxSchema, rows, runsOfDag } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const FIXTURE = join(__dirname, 'fixtures', 'crashing-relay.ts');

function runCrashingRelay(vars: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { cwd: REPO_ROOT, env: { ...process.env, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

describe('outbox relay killed mid-batch', () => {
  it('leaves every row claimable, and the restarted relay publishes them all with still exactly one run per row', { timeout: 120_000 }, async () => {
    const { schema, pool } = await outboxSchema();
    const { weft, taskQueue } = await exampleWorker(env);
    const dag = noopDag(uniqueId('outbox-crash'));
    const N = 40;
    const CRASH_AFTER = 15;
    const keys = await enqueueCommitted(
      pool,
      schema,
      Array.from({ length: N }, (_, i) => ({ dag: dag.name, input: { i }, dedupeKey: `${dag.name}-${i}` })),
    );

    const crashed = await runCrashingRelay({
      WEFT_TEST_DATABASE_URL: DATABASE_URL,
      OUTBOX_SCHEMA: schema,
      OUTBOX_DAG: dag.name,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      WEFT_TASK_QUEUE: taskQueue,
      CRASH_AFTER: String(CRASH_AFTER),
      BATCH_SIZE: String(N),
    });
    expect(crashed.signal, crashed.output).toBe('SIGKILL');
    expect(crashed.output).not.toContain('batch committed');
    // The kill came mid-batch: some runs exist, and the database recorded nothing.
    expect(new Set(await runsOfDag(env, dag.name, CRASH_AFTER))).toEqual(new Set(keys.slice(0, CRASH_AFTER)));
    expect(await outboxStatus(pool, { schema })).toMatchObject({ pending: N, published: 0, retrying: 0 });
    expect((await rows(pool, schema)).every((r) => r.attempts === 0 && r.claimed_by === null)).toBe(true);

    const totals = await new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false }).drain();

    expect(totals).toMatchObject({ published: N, existing: CRASH_AFTER, failed: 0 });
    const ids = await runsOfDag(env, dag.name, N);
    expect(ids).toHaveLength(N);
    expect(new Set(ids)).toEqual(new Set(keys));
    const state = await rows(pool, schema);
    expect(state.filter((r) => r.published_at !== null && r.attempts === 1)).toHaveLength(N);
    // The rows started before the kill point at the runs started then.
    for (const r of state.slice(0, CRASH_AFTER)) expect(r.run_id).toBe((await env.client.workflow.getHandle(r.dedupe_key).describe()).runId);
  });
});
