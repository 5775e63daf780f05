/**
 * The idempotency store for several machines: a PostgreSQL table, created if
 * missing. Each state change is a single statement (INSERT … ON CONFLICT DO
 * UPDATE … WHERE), which Postgres runs atomically under row locks, and leases
 * are compared with the database's clock, so workers' clocks need not agree.
 */
import { Pool, type PoolConfig } from 'pg';
import { IdempotencyStoreConfigError } from '../errors';
import {
  DEFAULT_IDEMPOTENCY_TABLE,
  TABLE_NAME_PATTERN,
  type ClaimResult,
  type IdempotencyError,
  type IdempotencyRecord,
  type IdempotencyState,
  type IdempotencyStore,
} from './store';

export interface PostgresIdempotencyStoreOptions {
  /** Use this pool; the store does not end it on close(). */
  pool?: Pool;
  /** Or connect with this URL (`postgres://user@host:5432/db`); the store then owns its pool. */
  connectionString?: string;
  /** Extra pool settings when the store creates the pool. */
  poolConfig?: Omit<PoolConfig, 'connectionString'>;
  /** Table name, optionally schema-qualified. @defaultValue weft_idempotency */
  table?: string;
}

interface Row {
  key: string;
  state: IdempotencyState;
  owner: string | null;
  lease_expires_at: Date | null;
  result: string | null;
  error: string | null;
  attempts: number;
  created_at: Date;
  updated_at: Date;
}

/** A claim that keeps losing races to other attempts reports busy after this many tries; once() then polls. */
const CLAIM_TRIES = 3;

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

export class PostgresIdempotencyStore implements IdempotencyStore {
  readonly description: string;
  readonly table: string;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly t: string;
  private ready: Promise<void> | undefined;

  constructor(opts: PostgresIdempotencyStoreOptions) {
    const table = opts.table ?? DEFAULT_IDEMPOTENCY_TABLE;
    if (!TABLE_NAME_PATTERN.test(table)) throw new IdempotencyStoreConfigError('table', table, 'expected an identifier such as weft_idempotency or myschema.weft_idempotency');
    if (!opts.pool && !opts.connectionString) throw new IdempotencyStoreConfigError('connectionString', opts.connectionString, 'give a pool or a postgres:// URL');
    this.table = table;
    this.t = table.split('.').map((part) => `"${part}"`).join('.');
    this.ownsPool = !opts.pool;
    this.pool = opts.pool ?? new Pool({ ...opts.poolConfig, connectionString: opts.connectionString });
    // An idle client's connection error surfaces again on the next query; without a listener it would crash the process.
    if (this.ownsPool) this.pool.on('error', () => undefined);
    this.description = `postgres:${opts.connectionString ? redact(opts.connectionString) : 'pool'}/${table}`;
  }

  /** Creates the table once per store; concurrent workers serialise on an advisory lock. */
  private ensureTable(): Promise<void> {
    this.ready ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`weft:${this.table}`]);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.t} (
          key text PRIMARY KEY,
          state text NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
          owner text,
          lease_expires_at timestamptz,
          result text,
          error text,
          attempts integer NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      // Let the next call try again (the database may come up later).
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async query<R extends object>(sql: string, params: unknown[]): Promise<{ rows: R[]; rowCount: number }> {
    await this.ensureTable();
    const res = await this.pool.query<R>(sql, params);
    return { rows: res.rows, rowCount: res.rowCount ?? 0 };
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    for (let i = 0; i < CLAIM_TRIES; i++) {
      const claimed = await this.query<{ attempts: number }>(
        `INSERT INTO ${this.t} AS r (key, state, owner, lease_expires_at, attempts)
         VALUES ($1, 'running', $2, now() + $3::double precision * interval '1 millisecond', 1)
         ON CONFLICT (key) DO UPDATE SET state = 'running', owner = excluded.owner, lease_expires_at = excluded.lease_expires_at,
           error = NULL, attempts = r.attempts + 1, updated_at = now()
         WHERE r.state = 'failed' OR (r.state = 'running' AND r.lease_expires_at <= now())
         RETURNING attempts`,
        [key, owner, leaseMs],
      );
      if (claimed.rows[0]) return { outcome: 'claimed', attempts: claimed.rows[0].attempts };
      const existing = await this.query<{ state: IdempotencyState; owner: string | null; lease_expires_at: Date | null; result: string | null; live: boolean }>(
        `SELECT state, owner, lease_expires_at, result, lease_expires_at > now() AS live FROM ${this.t} WHERE key = $1`,
        [key],
      );
      const row = existing.rows[0];
      if (row?.state === 'succeeded') return { outcome: 'done', resultJson: row.result ?? undefined };
      if (row?.state === 'running' && row.live) return { outcome: 'busy', owner: row.owner ?? '', leaseExpiresAt: row.lease_expires_at ?? new Date() };
      // The row changed between the two statements (failed, expired or deleted): try to claim again.
    }
    return { outcome: 'busy', owner: '', leaseExpiresAt: new Date() };
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const res = await this.query(
      `UPDATE ${this.t} SET lease_expires_at = now() + $3::double precision * interval '1 millisecond', updated_at = now()
       WHERE key = $1 AND owner = $2 AND state = 'running'`,
      [key, owner, leaseMs],
    );
    return res.rowCount > 0;
  }

  async succeed(key: string, _owner: string, resultJson: string | undefined): Promise<{ resultJson: string | undefined }> {
    const stored = await this.query<{ result: string | null }>(
      `INSERT INTO ${this.t} AS r (key, state, result, attempts) VALUES ($1, 'succeeded', $2, 1)
       ON CONFLICT (key) DO UPDATE SET state = 'succeeded', result = excluded.result, owner = NULL, lease_expires_at = NULL, error = NULL, updated_at = now()
       WHERE r.state <> 'succeeded'
       RETURNING result`,
      [key, resultJson ?? null],
    );
    if (stored.rows[0]) return { resultJson: stored.rows[0].result ?? undefined };
    // Another attempt stored its result first; that one stands.
    const first = await this.query<{ result: string | null }>(`SELECT result FROM ${this.t} WHERE key = $1`, [key]);
    return { resultJson: first.rows[0]?.result ?? undefined };
  }

  async fail(key: string, owner: string, error: IdempotencyError): Promise<void> {
    await this.query(
      `UPDATE ${this.t} SET state = 'failed', error = $3, owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE key = $1 AND owner = $2 AND state = 'running'`,
      [key, owner, JSON.stringify(error)],
    );
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const { rows } = await this.query<Row>(`SELECT * FROM ${this.t} WHERE key = $1`, [key]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      key: row.key,
      state: row.state,
      ...(row.owner !== null ? { owner: row.owner } : {}),
      ...(row.lease_expires_at !== null ? { leaseExpiresAt: row.lease_expires_at } : {}),
      ...(row.result !== null ? { resultJson: row.result } : {}),
      ...(row.error !== null ? { error: JSON.parse(row.error) as IdempotencyError } : {}),
      attempts: row.attempts,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async delete(key: string): Promise<boolean> {
    return (await this.query(`DELETE FROM ${this.t} WHERE key = $1`, [key])).rowCount > 0;
  }

  async close(): Promise<void> {
    if (this.ownsPool && !this.pool.ended) await this.pool.end();
  }
}
