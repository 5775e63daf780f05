/**
 * Applies migration.sql: the outbox table, its index and its NOTIFY trigger.
 * Idempotent, and safe when several processes migrate at once (they take
 * turns on an advisory lock).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { outboxTable, type OutboxTableOptions } from './table';

const FILE = 'migration.sql';
// From sources (tsx) the file sits next to this module; from dist/ in a checkout, it is read from src/.
const CANDIDATES = [join(__dirname, FILE), join(__dirname, '..', '..', 'src', 'outbox', FILE)];

/** The SQL of the outbox migration, as in src/outbox/migration.sql. */
export function outboxMigrationSql(): string {
  const file = CANDIDATES.find((f) => existsSync(f));
  if (!file) throw new Error(`${FILE} not found (looked in ${CANDIDATES.join(', ')}); the build must copy src/outbox/${FILE} next to the compiled outbox module`);
  return readFileSync(file, 'utf8');
}

/**
 * Creates the outbox table if it is missing (and, with `schema`, the schema).
 * Runs in one transaction; concurrent callers serialise on an advisory lock.
 */
export async function migrateOutbox(pool: Pick<Pool, 'connect'>, opts: OutboxTableOptions = {}): Promise<void> {
  const table = outboxTable(opts);
  const sql = outboxMigrationSql();
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`weft:outbox:${table.schema ?? ''}`]);
    if (table.schema) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${table.schema}"`);
      // The file's names are unqualified: point them at the schema for this transaction only.
      await client.query(`SET LOCAL search_path TO "${table.schema}"`);
    }
    await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // A client that failed may have a broken connection: destroy it rather than return it to the pool.
    client.release(failure);
  }
}
