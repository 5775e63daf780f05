/** enqueueInTransaction(): the row lives and dies with the caller's transaction. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { enqueueInTransaction, OutboxNotMigratedError, OutboxRelay, OutboxTransactionRequiredError } from '../../../src/outbox';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { exampleWorker } from '../../helpers/examples';
import { noopDag, resolverFor } from './dags';
import { enqueueCommitted, inTransaction, outboxSchema, rows, testPool } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('enqueueInTransaction', () => {
  it('a row written in a rolled-back transaction never becomes a run; a committed one does', async () => {
    const { schema, pool } = await outboxSchema();
    const { weft } = await exampleWorker(env);
    const dag = noopDag(uniqueId('outbox'));
    const rolledBack = uniqueId('rolled-back');
    const committed = uniqueId('committed');

    const client = await pool.connect();
    await client.query('BEGIN');
    await enqueueInTransaction(client, { dag: dag.name, input: { n: 1 }, dedupeKey: rolledBack }, { schema });
    await client.query('ROLLBACK');
    client.release();
    await enqueueCommitted(pool, schema, [{ dag: dag.name, input: { n: 2 }, dedupeKey: committed }]);

    const totals = await new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false }).drain();

    expect(totals).toMatchObject({ claimed: 1, published: 1, existing: 0, failed: 0 });
    expect(await env.client.workflow.getHandle(committed).result()).toEqual({ echo: { n: 2 } });
    await expect(env.client.workflow.getHandle(rolledBack).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await rows(pool, schema)).map((r) => r.dedupe_key)).toEqual([committed]);
  });

  it('ignores a second row with the same dedupe key, so the key produces one row and one run', async () => {
    const { schema, pool } = await outboxSchema();
    const { weft } = await exampleWorker(env);
    const dag = noopDag(uniqueId('outbox'));
    const key = uniqueId('once');
    expect(await enqueueCommitted(pool, schema, [{ dag: dag.name, input: 'first', dedupeKey: key }])).toEqual([key]);
    expect(await enqueueCommitted(pool, schema, [{ dag: dag.name, input: 'second', dedupeKey: key }])).toEqual([key]);

    await new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false }).drain();

    expect((await rows(pool, schema)).map((r) => r.dedupe_key)).toEqual([key]);
    expect(await env.client.workflow.getHandle(key).result()).toEqual({ echo: 'first' });
  });

  it('generates a UUID-based dedupe key when none is given', async () => {
    const { schema, pool } = await outboxSchema();
    const [key] = await enqueueCommitted(pool, schema, [{ dag: 'report' }]);
    expect(key).toMatch(/^report-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await rows(pool, schema))[0]).toMatchObject({ dedupe_key: key, dag: 'report', attempts: 0, published_at: null });
  });

  it('stores arrays and nested input as JSON, and the run receives them unchanged', async () => {
    const { schema, pool } = await outboxSchema();
    const { weft } = await exampleWorker(env);
    const dag = noopDag(uniqueId('outbox'));
    const input = [1, 'two', { three: [3] }, null];
    const [key] = await enqueueCommitted(pool, schema, [{ dag: dag.name, input }]);
    await new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false }).drain();
    expect(await env.client.workflow.getHandle(key!).result()).toEqual({ echo: input });
  });

  it('refuses to write outside a transaction, and writes nothing', async () => {
    const { schema, pool } = await outboxSchema();
    const client = await pool.connect();
    try {
      await expect(enqueueInTransaction(client, { dag: 'report', dedupeKey: 'autocommit' }, { schema })).rejects.toThrow(OutboxTransactionRequiredError);
    } finally {
      client.release();
    }
    expect(await rows(pool, schema)).toEqual([]);
  });

  it('says how to create the table when it is missing', async () => {
    const pool = testPool();
    const error = await inTransaction(pool, (client) => enqueueInTransaction(client, { dag: 'report' }, { schema: 'outbox_never_migrated' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxNotMigratedError);
    expect((error as Error).message).toBe('the outbox table outbox_never_migrated.weft_outbox does not exist; create it with `weft outbox migrate` or migrateOutbox(pool)');
  });
});
