/** Durable once-only execution: `once()` and its stores. */
export { once, ONCE_DEFAULTS, type OnceOptions } from './once';
export { setDefaultIdempotencyStore, getDefaultIdempotencyStore } from './default-store';
export { SqliteIdempotencyStore, defaultSqliteIdempotencyPath } from './sqlite';
export { PostgresIdempotencyStore, type PostgresIdempotencyStoreOptions } from './postgres';
export { openIdempotencyStore, type OpenIdempotencyStoreOptions } from './open';
export {
  DEFAULT_IDEMPOTENCY_TABLE,
  type ClaimResult,
  type IdempotencyError,
  type IdempotencyRecord,
  type IdempotencyState,
  type IdempotencyStore,
} from './store';
