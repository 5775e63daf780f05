/**
 * The relay's state changes, each one statement. They run inside the batch's
 * transaction (see relay.ts), so a batch is settled all at once or not at all.
 */
import type { PoolClient } from 'pg';
import type { OutboxTable } from './table';

export interface ClaimedRow {
  id: string;
  dedupe_key: string;
  dag: string;
  input: unknown;
  priority: number | null;
  attempts: number;
}

/**
 * Locks up to `limit` claimable rows, oldest first. SKIP LOCKED lets several
 * relays claim side by side: a row locked by another relay's batch is passed
 * over, never waited for. Locks end with the transaction, so a relay that
 * dies releases its rows.
 */
export async function claimBatch(client: PoolClient, table: OutboxTable, limit: number): Promise<ClaimedRow[]> {
  const { rows } = await client.query<ClaimedRow>(
    `SELECT id, dedupe_key, dag, input, priority, attempts FROM ${table.sql}
     WHERE published_at IS NULL AND parked_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
     ORDER BY id
     LIMIT $1
     FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function markPublished(client: PoolClient, table: OutboxTable, relayId: string, rows: ReadonlyArray<{ id: string; runId: string }>): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `UPDATE ${table.sql} AS t
     SET published_at = clock_timestamp(), run_id = u.run_id, claimed_at = now(), claimed_by = $1,
         attempts = t.attempts + 1, last_error = NULL, next_attempt_at = NULL
     FROM unnest($2::bigint[], $3::text[]) AS u(id, run_id)
     WHERE t.id = u.id`,
    [relayId, rows.map((r) => r.id), rows.map((r) => r.runId)],
  );
}

/** Records a failed attempt per row; a row reaching `maxAttempts` is parked. Returns the ids parked now. */
export async function markFailed(
  client: PoolClient,
  table: OutboxTable,
  relayId: string,
  maxAttempts: number,
  rows: ReadonlyArray<{ id: string; error: string; retryInMs: number }>,
): Promise<string[]> {
  if (rows.length === 0) return [];
  const { rows: settled } = await client.query<{ id: string; parked: boolean }>(
    `UPDATE ${table.sql} AS t
     SET attempts = t.attempts + 1, last_error = u.error, claimed_at = now(), claimed_by = $1,
         next_attempt_at = now() + u.retry_ms * interval '1 millisecond',
         parked_at = CASE WHEN t.attempts + 1 >= $2 THEN clock_timestamp() END
     FROM unnest($3::bigint[], $4::text[], $5::double precision[]) AS u(id, error, retry_ms)
     WHERE t.id = u.id
     RETURNING t.id, t.parked_at IS NOT NULL AS parked`,
    [relayId, maxAttempts, rows.map((r) => r.id), rows.map((r) => r.error), rows.map((r) => r.retryInMs)],
  );
  return settled.filter((r) => r.parked).map((r) => r.id);
}
