/**
 * The storage side of `once()`: one row per key, changed only by atomic
 * operations, so the orchestration in once.ts stays free of SQL and the two
 * implementations (SQLite, PostgreSQL) behave the same.
 *
 * A row moves through: (none) → running → succeeded | failed; failed → running
 * (a later attempt retries); running with an expired lease → running (taken
 * over from an attempt that died). Succeeded is final.
 */

export type IdempotencyState = 'running' | 'succeeded' | 'failed';

export interface IdempotencyRecord {
  key: string;
  state: IdempotencyState;
  /** Who holds the claim while running. */
  owner?: string;
  leaseExpiresAt?: Date;
  /** JSON text of the result when succeeded; absent when the result was `undefined`. */
  resultJson?: string;
  /** The last failure, when failed. */
  error?: IdempotencyError;
  /** How many times the key was claimed: 1 for the first run, +1 for each retry or takeover. */
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdempotencyError {
  message: string;
  type?: string;
}

export type ClaimResult =
  /** The caller now owns the key and must run its function, then call succeed() or fail(). */
  | { outcome: 'claimed'; attempts: number }
  /** A result is stored; return it. */
  | { outcome: 'done'; resultJson: string | undefined }
  /** Another owner holds a live lease. */
  | { outcome: 'busy'; owner: string; leaseExpiresAt: Date };

export interface IdempotencyStore {
  /** A label for logs and errors, e.g. `sqlite:/data/idempotency.sqlite`. */
  readonly description: string;
  /**
   * Atomically: inserts a running row owned by `owner`, or takes over a failed
   * row or one whose lease has expired; otherwise reports what is there.
   */
  claim(key: string, owner: string, leaseMs: number): Promise<ClaimResult>;
  /** Extends the lease while the owner still holds it; false when it no longer does. */
  renew(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /**
   * Stores the result unless one is already stored (the first success wins,
   * even over an owner whose lease was taken over), and returns the stored one.
   */
  succeed(key: string, owner: string, resultJson: string | undefined): Promise<{ resultJson: string | undefined }>;
  /** Marks the owner's running claim failed, so a later attempt claims it again. */
  fail(key: string, owner: string, error: IdempotencyError): Promise<void>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Forgets a key, so the next once() runs its function again. For operators. */
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Table names are interpolated into SQL, so only plain (optionally schema-qualified) identifiers are allowed. */
export const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/** @defaultValue the table both stores use */
export const DEFAULT_IDEMPOTENCY_TABLE = 'weft_idempotency';
