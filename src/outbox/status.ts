/** What operators ask of the outbox: how far behind it is, which rows are parked, and putting parked rows back. */
import type { Pool } from 'pg';
import { OutboxConfigError } from './errors';
import { notMigrated, outboxTable, type OutboxTableOptions } from './table';

export interface OutboxRowView {
  id: string;
  dedupeKey: string;
  dag: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  /** When the last failed attempt was recorded. */
  claimedAt: string | null;
  parkedAt: string | null;
}

export interface OutboxStatus {
  table: string;
  /** Unpublished and not parked: the relay will claim these (some after a retry delay). */
  pending: number;
  /** Of `pending`, rows that failed at least once and wait for their next attempt. */
  retrying: number;
  published: number;
  /** Failed `maxAttempts` times; skipped until requeued. */
  parked: number;
  /** Creation time of the oldest pending row, or null when none is pending. */
  oldestPendingAt: string | null;
  /** Its age in milliseconds (by the database's clock). */
  oldestPendingAgeMs: number | null;
  /** The parked rows, newest first, at most `parkedLimit`. */
  parkedRows: OutboxRowView[];
}

interface RowRecord {
  id: string;
  dedupe_key: string;
  dag: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  claimed_at: Date | null;
  parked_at: Date | null;
}

function view(r: RowRecord): OutboxRowView {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    dag: r.dag,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    claimedAt: r.claimed_at?.toISOString() ?? null,
    parkedAt: r.parked_at?.toISOString() ?? null,
  };
}

/** Counts by state, the oldest pending row's age, and the parked rows. */
export async function outboxStatus(pool: Pick<Pool, 'query'>, opts: OutboxTableOptions & { /** @defaultValue 20 */ parkedLimit?: number } = {}): Promise<OutboxStatus> {
  const table = outboxTable(opts);
  const limit = opts.parkedLimit ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new OutboxConfigError('parkedLimit', limit, 'an integer of at least 0');
  try {
    const counts = await pool.query<{ pending: number; retrying: number; published: number; parked: number; oldest: Date | null; age_ms: number | null }>(
      `SELECT count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NULL)::int AS pending,
              count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NULL AND attempts > 0)::int AS retrying,
              count(*) FILTER (WHERE published_at IS NOT NULL)::int AS published,
              count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NOT NULL)::int AS parked,
              min(created_at) FILTER (WHERE published_at IS NULL AND parked_at IS NULL) AS oldest,
              (extract(epoch FROM now() - min(created_at) FILTER (WHERE published_at IS NULL AND parked_at IS NULL)) * 1000)::float8 AS age_ms
       FROM ${table.sql}`,
    );
    const parked = await pool.query<RowRecord>(
      `SELECT id, dedupe_key, dag, attempts, last_error, created_at, claimed_at, parked_at FROM ${table.sql}
       WHERE published_at IS NULL AND parked_at IS NOT NULL ORDER BY parked_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    const c = counts.rows[0]!;
    return {
      table: table.label,
      pending: c.pending,
      retrying: c.retrying,
      published: c.published,
      parked: c.parked,
      oldestPendingAt: c.oldest?.toISOString() ?? null,
      oldestPendingAgeMs: c.age_ms === null ? null : Math.max(0, Math.round(c.age_ms)),
      parkedRows: parked.rows.map(view),
    };
  } catch (err) {
    throw notMigrated(table, err);
  }
}

/**
 * Makes unpublished rows claimable again at once, with their attempts reset:
 * the given ids, or every parked row. `last_error` is kept until the next
 * attempt. Returns the ids requeued; published or unknown ids are not among them.
 */
export async function requeueOutboxRows(pool: Pick<Pool, 'query'>, opts: OutboxTableOptions & ({ ids: ReadonlyArray<string | number> } | { allParked: true })): Promise<string[]> {
  const table = outboxTable(opts);
  const given = 'ids' in opts ? opts.ids : undefined;
  const ids = given?.map(String);
  if (ids && !ids.every((id) => /^\d{1,19}$/.test(id))) throw new OutboxConfigError('ids', given, 'outbox row ids (positive integers)');
  try {
    const { rows } = await pool.query<{ id: string }>(
      `UPDATE ${table.sql} SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
       WHERE published_at IS NULL AND ${ids ? 'id = ANY($1::bigint[])' : 'parked_at IS NOT NULL'}
       RETURNING id`,
      ids ? [ids] : [],
    );
    return rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
  } catch (err) {
    throw notMigrated(table, err);
  }
}
