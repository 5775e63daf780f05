/**
 * PostgreSQL and Temporal helpers for the outbox tests. Every test gets its
 * own schema (dropped when it finishes) and its own DAG name, so tests that
 * run side by side never see each other's rows or runs.
 */
import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { onTestFinished } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { enqueueInTransaction, migrateOutbox, type OutboxEnqueueOptions } from '../../../src/outbox';

export const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:55432/weft_test';

/** A pool on the test database; ended when the test finishes. */
export function testPool(config: Omit<PoolConfig, 'connectionString'> = {}): Pool {
  const pool = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000, max: 5, ...config });
  pool.on('error', () => undefined);
  onTestFinished(async () => {
    if (!pool.ended) await pool.end();
  });
  return pool;
}

/** A fresh schema with the outbox table in it. */
export async function outboxSchema(): Promise<{ schema: string; pool: Pool }> {
  const schema = `outbox_test_${randomUUID().slice(0, 8)}`;
  const pool = testPool({ max: 10 });
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${DATABASE_URL} (${(err as Error).message}). ` +
        'Start the test database with `bash scripts/ci-postgres.sh`, or set WEFT_TEST_DATABASE_URL to a database you can use.',
    );
  }
  await migrateOutbox(pool, { schema });
  onTestFinished(async () => {
    const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  return { schema, pool };
}

/** Runs `fn` in a transaction on one connection and commits. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** Commits one outbox row per entry, in one transaction; returns the dedupe keys. */
export function enqueueCommitted(pool: Pool, schema: string, rows: OutboxEnqueueOptions[]): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const keys: string[] = [];
    for (const row of rows) keys.push(await enqueueInTransaction(client, row, { schema }));
    return keys;
  });
}

export interface RowState {
  id: string;
  dedupe_key: string;
  dag: string;
  attempts: number;
  last_error: string | null;
  published_at: Date | null;
  parked_at: Date | null;
  run_id: string | null;
  claimed_by: string | null;
}

export async function rows(pool: Pool, schema: string): Promise<RowState[]> {
  return (await pool.query<RowState>(`SELECT id, dedupe_key, dag, attempts, last_error, published_at, parked_at, run_id, claimed_by FROM "${schema}".weft_outbox ORDER BY id`)).rows;
}

/** Polls `probe` until it returns a value that is not undefined/false, or fails after the deadline. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Every execution of the DAG that visibility knows, once its count reaches
 * `expected` (visibility lags the starts by a little). Each execution is
 * listed, so a second execution under one workflow id would show twice.
 */
export async function runsOfDag(env: TestWorkflowEnvironment, dag: string, expected: number, timeoutMs = 60_000): Promise<string[]> {
  const query = `WeftDag = '${dag}'`;
  await eventually(`${expected} runs of ${dag} in visibility`, async () => (await env.client.workflow.count(query)).count >= expected, timeoutMs, 250);
  const ids: string[] = [];
  for await (const w of env.client.workflow.list({ query, pageSize: 1000 })) ids.push(w.workflowId);
  return ids;
}
