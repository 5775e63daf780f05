/** `weft outbox …` as a subprocess, against the test database and the dev server. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OutboxRelay } from '../../../src/outbox';
import { runWeft, spawnWeft, waitForOutput } from '../../helpers/cli';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { exampleWorker } from '../../helpers/examples';
import { noopDag } from './dags';
import { DATABASE_URL, enqueueCommitted, outboxSchema, rows, runsOfDag, testPool } from './support';

let env: TestWorkflowEnvironment;
const dagsDir = mkdtempSync(join(tmpdir(), 'weft-outbox-cli-'));
const dagName = uniqueId('outbox-cli');
beforeAll(async () => {
  env = await devServerEnv();
  writeFileSync(join(dagsDir, `${dagName}.yaml`), `name: ${dagName}\nnodes:\n  - id: echo\n    activity: noop\n    input: "{{ input }}"\n`);
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dagsDir, { recursive: true, force: true });
});

function cli(taskQueue = 'unused', extraEnv: NodeJS.ProcessEnv = {}) {
  const vars = { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_TASK_QUEUE: taskQueue, WEFT_DAGS_DIR: dagsDir, WEFT_OUTBOX_DATABASE_URL: DATABASE_URL, ...extraEnv };
  return { run: (...args: string[]) => runWeft(args, { env: vars }), spawn: (...args: string[]) => spawnWeft(args, { env: vars }) };
}

describe('weft outbox', () => {
  it('migrate creates the table in the schema, and running it again changes nothing', async () => {
    const pool = testPool();
    const schema = uniqueId('outbox_cli').replace('-', '_');
    try {
      const first = await cli().run('outbox', 'migrate', '--schema', schema, '--json');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({ migrated: true, table: `${schema}.weft_outbox` });
      const again = await cli().run('outbox', 'migrate', '--schema', schema);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`outbox table ${schema}.weft_outbox is ready\n`);
      expect((await pool.query('SELECT to_regclass($1) AS t', [`${schema}.weft_outbox`])).rows[0].t).not.toBeNull();
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('relay --once --json turns the committed rows into runs and prints the totals as one JSON object', async () => {
    const { schema, pool } = await outboxSchema();
    const { taskQueue } = await exampleWorker(env);
    const keys = await enqueueCommitted(pool, schema, [1, 2, 3].map((n) => ({ dag: dagName, input: { n } })));

    const r = await cli(taskQueue).run('outbox', 'relay', '--once', '--json', '--schema', schema);

    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ claimed: 3, published: 3, existing: 0, failed: 0, parked: 0, rolledBack: 0 });
    expect(await env.client.workflow.getHandle(keys[2]!).result()).toEqual({ echo: { n: 3 } });
    expect((await rows(pool, schema)).every((row) => row.published_at !== null)).toBe(true);
  });

  it('status --json counts pending, published and parked rows, with the oldest pending row and the parked ones', async () => {
    const { schema, pool } = await outboxSchema();
    const { weft } = await exampleWorker(env);
    const dag = noopDag(uniqueId('outbox'));
    const [published, parked] = await enqueueCommitted(pool, schema, [{ dag: dag.name }, { dag: 'missing' }]);
    await new OutboxRelay({ pool, weft, schema, resolveDag: (n) => (n === dag.name ? dag : undefined), maxAttempts: 1, listen: false }).runOnce();
    const [pending] = await enqueueCommitted(pool, schema, [{ dag: dag.name }]);

    const r = await cli().run('outbox', 'status', '--json', '--schema', schema);

    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    const state = await rows(pool, schema);
    expect(state.map((row) => row.dedupe_key)).toEqual([published, parked, pending]);
    expect(status).toMatchObject({ table: `${schema}.weft_outbox`, pending: 1, retrying: 0, published: 1, parked: 1 });
    const created = (await pool.query<{ created_at: Date }>(`SELECT created_at FROM "${schema}".weft_outbox WHERE dedupe_key = $1`, [pending])).rows[0]!.created_at;
    expect(status.oldestPendingAt).toBe(created.toISOString());
    expect(status.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    expect(status.parkedRows).toEqual([expect.objectContaining({ dedupeKey: parked, attempts: 1, lastError: 'OutboxUnknownDagError: no DAG named "missing" is known to this relay' })]);
  });

  it('relay keeps relaying rows as they commit, and on SIGTERM finishes and exits 0 with its totals', async () => {
    const { schema, pool } = await outboxSchema();
    const { taskQueue } = await exampleWorker(env);
    const child = cli(taskQueue).spawn('outbox', 'relay', '--schema', schema, '--interval', '1h');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stdout = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    await waitForOutput(child, /watching/);

    await enqueueCommitted(pool, schema, [{ dag: dagName }, { dag: dagName }]);
    await waitForOutput(child, /published 2/);
    child.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(stdout).toContain('stopped after 1 batch: published 2, failed 0, parked 0');
    expect(await runsOfDag(env, dagName, 2)).toEqual(expect.arrayContaining((await rows(pool, schema)).map((r) => r.dedupe_key)));
  });

  it('requeue --all-parked makes parked rows claimable again; an id that is not an unpublished row exits 5', async () => {
    const { schema, pool } = await outboxSchema();
    const { weft } = await exampleWorker(env);
    await enqueueCommitted(pool, schema, [{ dag: 'missing' }]);
    await new OutboxRelay({ pool, weft, schema, resolveDag: () => undefined, maxAttempts: 1, listen: false }).runOnce();
    const [row] = await rows(pool, schema);
    expect(row!.parked_at).not.toBeNull();

    const requeued = await cli().run('outbox', 'requeue', '--all-parked', '--schema', schema, '--json');
    expect(requeued.code).toBe(0);
    expect(JSON.parse(requeued.stdout)).toEqual({ requeued: [row!.id], missing: [] });
    expect((await rows(pool, schema))[0]).toMatchObject({ parked_at: null, attempts: 0 });

    const unknown = await cli().run('outbox', 'requeue', '999999', '--schema', schema);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('not requeued (no such unpublished row): 999999');
  });
});

describe('weft outbox: bad input and unavailable servers', () => {
  it.each([
    [['relay', '--batch', '0'], 'Expected --batch to be a positive integer, got `0`.'],
    [['relay', '--batch', '20000'], 'Expected --batch to be at most 10000, got `20000`.'],
    [['relay', '--interval', 'soon'], 'Expected --interval to be a duration such as 500ms, 5s or 1m (at least 10ms), got `soon`.'],
    [['relay', '--database-url', 'mysql://db/shop'], 'Expected --database-url to be a postgres:// or postgresql:// URL, got `mysql://db/shop`.'],
    [['status', '--schema', 'bad-name'], 'Expected --schema to be a PostgreSQL identifier (letters, digits and _), got `bad-name`.'],
    [['status', '--colour'], "unknown option '--colour'"],
    [['requeue'], 'Give row ids or --all-parked.'],
  ])('exits 2 for outbox %j, naming the flag', async (args, message) => {
    const r = await cli().run('outbox', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exits 3 when no database URL is given', async () => {
    const r = await cli('unused', { WEFT_OUTBOX_DATABASE_URL: '' }).run('outbox', 'status');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Give --database-url or set WEFT_OUTBOX_DATABASE_URL.');
  });

  it('exits 1 and says how to create the table when it is missing', async () => {
    const r = await cli().run('outbox', 'status', '--schema', 'outbox_never_migrated');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the outbox table outbox_never_migrated.weft_outbox does not exist; create it with `weft outbox migrate`');
  });

  it('exits 4 when the database is unreachable', async () => {
    const r = await cli().run('outbox', 'migrate', '--database-url', 'postgres://postgres@127.0.0.1:1/none');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/none');
  });
});
