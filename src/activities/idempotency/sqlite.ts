/**
 * The embedded idempotency store: one SQLite file under the data dir. Every
 * state change is one IMMEDIATE transaction, so it is atomic across threads
 * and across worker processes on the same machine sharing the file.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_IDEMPOTENCY_TABLE, type ClaimResult, type IdempotencyError, type IdempotencyRecord, type IdempotencyState, type IdempotencyStore } from './store';

/** `<dataDir>/idempotency.sqlite`. */
export function defaultSqliteIdempotencyPath(dataDir: string): string {
  return join(dataDir, 'idempotency.sqlite');
}

interface Row {
  key: string;
  state: IdempotencyState;
  owner: string | null;
  lease_expires_at: number | null;
  result: string | null;
  error: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}

const T = DEFAULT_IDEMPOTENCY_TABLE;

function rowToRecord(row: Row): IdempotencyRecord {
  return {
    key: row.key,
    state: row.state,
    ...(row.owner !== null ? { owner: row.owner } : {}),
    ...(row.lease_expires_at !== null ? { leaseExpiresAt: new Date(row.lease_expires_at) } : {}),
    ...(row.result !== null ? { resultJson: row.result } : {}),
    ...(row.error !== null ? { error: JSON.parse(row.error) as IdempotencyError } : {}),
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class SqliteIdempotencyStore implements IdempotencyStore {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly claimTx: (key: string, owner: string, leaseMs: number) => ClaimResult;
  private readonly succeedTx: (key: string, resultJson: string | null) => string | null;

  /** Opens (creating if needed) the database file and its table. */
  constructor(readonly path: string) {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    this.description = `sqlite:${file}`;
    this.db = new Database(file);
    // WAL lets readers and one writer work at once; busy_timeout makes a second process wait for the lock instead of failing.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${T} (
      key TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
      owner TEXT,
      lease_expires_at INTEGER,
      result TEXT,
      error TEXT,
      attempts INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`);

    const select = this.db.prepare<[string], Row>(`SELECT * FROM ${T} WHERE key = ?`);
    const insert = this.db.prepare(`INSERT INTO ${T} (key, state, owner, lease_expires_at, attempts, created_at, updated_at) VALUES (?, 'running', ?, ?, 1, ?, ?)`);
    const takeOver = this.db.prepare(
      `UPDATE ${T} SET state = 'running', owner = ?, lease_expires_at = ?, error = NULL, attempts = attempts + 1, updated_at = ? WHERE key = ?`,
    );
    const claim = (key: string, owner: string, leaseMs: number): ClaimResult => {
      const now = Date.now();
      const row = select.get(key);
      if (!row) {
        insert.run(key, owner, now + leaseMs, now, now);
        return { outcome: 'claimed', attempts: 1 };
      }
      if (row.state === 'succeeded') return { outcome: 'done', resultJson: row.result ?? undefined };
      if (row.state === 'failed' || (row.lease_expires_at ?? 0) <= now) {
        takeOver.run(owner, now + leaseMs, now, key);
        return { outcome: 'claimed', attempts: row.attempts + 1 };
      }
      return { outcome: 'busy', owner: row.owner ?? '', leaseExpiresAt: new Date(row.lease_expires_at ?? now) };
    };
    const claimTx = this.db.transaction(claim);
    this.claimTx = (key, owner, leaseMs) => claimTx.immediate(key, owner, leaseMs);

    const upsertSuccess = this.db.prepare(
      `INSERT INTO ${T} (key, state, result, attempts, created_at, updated_at) VALUES (?, 'succeeded', ?, 1, ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = 'succeeded', result = excluded.result, owner = NULL, lease_expires_at = NULL, error = NULL, updated_at = excluded.updated_at
       WHERE ${T}.state <> 'succeeded'`,
    );
    const succeedTx = this.db.transaction((key: string, resultJson: string | null): string | null => {
      const now = Date.now();
      upsertSuccess.run(key, resultJson, now, now);
      return select.get(key)?.result ?? null;
    });
    this.succeedTx = (key, resultJson) => succeedTx.immediate(key, resultJson);
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    return this.claimTx(key, owner, leaseMs);
  }

  async renew(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const { changes } = this.db
      .prepare(`UPDATE ${T} SET lease_expires_at = ?, updated_at = ? WHERE key = ? AND owner = ? AND state = 'running'`)
      .run(now + leaseMs, now, key, owner);
    return changes > 0;
  }

  async succeed(key: string, _owner: string, resultJson: string | undefined): Promise<{ resultJson: string | undefined }> {
    return { resultJson: this.succeedTx(key, resultJson ?? null) ?? undefined };
  }

  async fail(key: string, owner: string, error: IdempotencyError): Promise<void> {
    this.db
      .prepare(`UPDATE ${T} SET state = 'failed', error = ?, owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE key = ? AND owner = ? AND state = 'running'`)
      .run(JSON.stringify(error), Date.now(), key, owner);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const row = this.db.prepare<[string], Row>(`SELECT * FROM ${T} WHERE key = ?`).get(key);
    return row ? rowToRecord(row) : undefined;
  }

  async delete(key: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM ${T} WHERE key = ?`).run(key).changes > 0;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
