/**
 * Picks the idempotency store from one setting: nothing (SQLite under the
 * data dir, the embedded default), `sqlite:<path>`, or a `postgres://` URL.
 */
import { resolve } from 'node:path';
import { IdempotencyStoreConfigError } from '../errors';
import { PostgresIdempotencyStore } from './postgres';
import { SqliteIdempotencyStore, defaultSqliteIdempotencyPath } from './sqlite';
import type { IdempotencyStore } from './store';

export interface OpenIdempotencyStoreOptions {
  /** `postgres://…`, `postgresql://…`, `sqlite:<path>`; empty means SQLite in `dataDir`. */
  url?: string;
  /** Used when `url` is empty: the file is `<dataDir>/idempotency.sqlite`. */
  dataDir: string;
  /** Postgres table. @defaultValue weft_idempotency */
  table?: string;
}

export function openIdempotencyStore(opts: OpenIdempotencyStoreOptions): IdempotencyStore {
  const url = opts.url?.trim();
  if (!url) return new SqliteIdempotencyStore(defaultSqliteIdempotencyPath(opts.dataDir));
  if (/^postgres(ql)?:\/\//.test(url)) return new PostgresIdempotencyStore({ connectionString: url, ...(opts.table ? { table: opts.table } : {}) });
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new IdempotencyStoreConfigError('url', url, 'expected sqlite:<path to a file>');
    return new SqliteIdempotencyStore(resolve(path));
  }
  throw new IdempotencyStoreConfigError('url', url.replace(/:[^:@/]*@/, ':***@'), 'expected a postgres:// URL or sqlite:<path>');
}
