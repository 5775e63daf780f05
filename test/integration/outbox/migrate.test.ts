/** migrateOutbox(): the table, its index and its NOTIFY trigger, idempotently. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Notification, Pool } from 'pg';
import { migrateOutbox, OUTBOX_CHANNEL } from '../../../src/outbox';
import { enqueueCommitted, eventually, testPool } from './support';

function freshSchema(pool: Pool): string {
  const schema = `outbox_migrate_${randomUUID().slice(0, 8)}`;
  onTestFinished(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  return schema;
}

/** What the migration created, as the catalogs describe it. */
async function catalog(pool: Pool, schema: string): Promise<unknown> {
  const columns = await pool.query(
    `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'weft_outbox' ORDER BY ordinal_position`,
    [schema],
  );
  const indexes = await pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'weft_outbox' ORDER BY indexname`, [schema]);
  const triggers = await pool.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal`, [`"${schema}".weft_outbox`]);
  return { columns: columns.rows, indexes: indexes.rows, triggers: triggers.rows };
}

describe('migrateOutbox', () => {
  it('creates the schema, the table, the index on unpublished rows and the insert trigger', async () => {
    const pool = testPool();
    const schema = freshSchema(pool);
    await migrateOutbox(pool, { schema });
    const created = (await catalog(pool, schema)) as { columns: Array<{ column_name: string }>; indexes: Array<{ indexname: string; indexdef: string }>; triggers: Array<{ tgname: string }> };
    expect(created.columns.map((c) => c.column_name)).toEqual([
      'id',
      'dedupe_key',
      'dag',
      'input',
      'priority',
      'created_at',
      'claimed_at',
      'claimed_by',
      'published_at',
      'run_id',
      'attempts',
      'last_error',
      'next_attempt_at',
      'parked_at',
    ]);
    expect(created.indexes.find((i) => i.indexname === 'weft_outbox_unpublished_idx')?.indexdef).toMatch(/\(id\) WHERE \(published_at IS NULL\)$/);
    expect(created.indexes.some((i) => /UNIQUE INDEX .* \(dedupe_key\)/.test(i.indexdef))).toBe(true);
    expect(created.triggers).toEqual([{ tgname: 'weft_outbox_notify' }]);
  });

  it('changes nothing when applied again, even by several processes at once', async () => {
    const pool = testPool({ max: 6 });
    const once = freshSchema(pool);
    const many = freshSchema(pool);
    await migrateOutbox(pool, { schema: once });
    await Promise.all(Array.from({ length: 5 }, () => migrateOutbox(pool, { schema: many })));
    await migrateOutbox(pool, { schema: many });
    const normalise = (c: unknown, schema: string): string => JSON.stringify(c).replaceAll(schema, 'S');
    expect(normalise(await catalog(pool, many), many)).toBe(normalise(await catalog(pool, once), once));
  });

  it('notifies listeners when rows commit, with the schema as the payload', async () => {
    const pool = testPool({ max: 3 });
    const schema = freshSchema(pool);
    await migrateOutbox(pool, { schema });
    const listener = await pool.connect();
    const received: Notification[] = [];
    listener.on('notification', (n) => received.push(n));
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    onTestFinished(() => listener.release());

    await enqueueCommitted(pool, schema, [{ dag: 'report' }, { dag: 'report' }]);

    await eventually('a notification', async () => received.some((n) => n.payload === schema));
    expect(received.filter((n) => n.payload === schema)).toEqual([expect.objectContaining({ channel: OUTBOX_CHANNEL, payload: schema })]);
  });
});
