/**
 * once() against a real PostgreSQL. Start one with `bash scripts/ci-postgres.sh`
 * (or point WEFT_TEST_DATABASE_URL at yours). When the database is unreachable
 * these tests fail and say so; they never skip.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'pg';
import { once, PostgresIdempotencyStore } from '../../../src/activities';
import { describeOnceBehaviours } from '../../unit/activities/support/once-behaviours';

const url = process.env.WEFT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:55432/weft_test';
// Each run gets its own table, so runs never see each other's keys and the table-creation path is exercised.
const table = `weft_idempotency_test_${randomUUID().slice(0, 8)}`;
let admin: Pool;

beforeAll(async () => {
  admin = new Pool({ connectionString: url, connectionTimeoutMillis: 5000, max: 2 });
  admin.on('error', () => undefined);
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    await admin.end();
    throw new Error(
      `PostgreSQL is not reachable at ${url} (${(err as Error).message}). ` +
        'Start the test database with `bash scripts/ci-postgres.sh`, or set WEFT_TEST_DATABASE_URL to a database you can use.',
    );
  }
});

afterAll(async () => {
  if (admin && !admin.ended) {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  }
});

describeOnceBehaviours('PostgreSQL', { open: async () => new PostgresIdempotencyStore({ connectionString: url, table }) });

describe('PostgresIdempotencyStore', () => {
  it('creates its table when it is missing', async () => {
    const fresh = `weft_idempotency_fresh_${randomUUID().slice(0, 8)}`;
    const store = new PostgresIdempotencyStore({ connectionString: url, table: fresh });
    try {
      expect(await once('wf-fresh/a', () => 'made', { store })).toBe('made');
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $1', [fresh]);
      expect(rows[0]?.n).toBe('1');
    } finally {
      await store.close();
      await admin.query(`DROP TABLE IF EXISTS ${fresh}`);
    }
  });

  it('lets many workers create the table at the same time', async () => {
    const fresh = `weft_idempotency_race_${randomUUID().slice(0, 8)}`;
    const stores = Array.from({ length: 5 }, () => new PostgresIdempotencyStore({ connectionString: url, table: fresh }));
    try {
      const results = await Promise.all(stores.map((store, i) => once(`wf-race/${i}`, () => i, { store })));
      expect(results).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await admin.query(`DROP TABLE IF EXISTS ${fresh}`);
    }
  });

  it('uses a pool it is given, and leaves it open on close()', async () => {
    const pool = new Pool({ connectionString: url, max: 2 });
    const store = new PostgresIdempotencyStore({ pool, table });
    await once(`wf-pool-${randomUUID()}/a`, () => 1, { store });
    await store.close();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    await pool.end();
  });

  it('runs fn once among many concurrent callers on separate connections', async () => {
    const stores = Array.from({ length: 4 }, () => new PostgresIdempotencyStore({ connectionString: url, table }));
    const k = `wf-${randomUUID()}/many`;
    let calls = 0;
    try {
      const results = await Promise.all(
        stores.map((store) =>
          once(
            k,
            async () => {
              calls++;
              return 'once';
            },
            { store, waitMs: 30_000 },
          ),
        ),
      );
      expect(results).toEqual(['once', 'once', 'once', 'once']);
      expect(calls).toBe(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
