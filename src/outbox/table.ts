/**
 * Where the outbox table lives. With no schema, names are unqualified and
 * resolve through the connection's search_path, as migration.sql does.
 */
import { OutboxConfigError, OutboxNotMigratedError } from './errors';

export const OUTBOX_TABLE = 'weft_outbox';
/** LISTEN/NOTIFY channel of the insert trigger; the payload is the table's schema. */
export const OUTBOX_CHANNEL = 'weft_outbox';

export interface OutboxTableOptions {
  /** PostgreSQL schema of weft_outbox. @defaultValue none: the connection's search_path decides */
  schema?: string;
}

/** What a schema name may be (unquoted PostgreSQL identifier rules). */
export const SCHEMA_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface OutboxTable {
  schema: string | undefined;
  /** Quoted, ready for SQL: `"s"."weft_outbox"` or `weft_outbox`. */
  sql: string;
  /** For messages: `s.weft_outbox` or `weft_outbox`. */
  label: string;
}

export function outboxTable(opts: OutboxTableOptions = {}): OutboxTable {
  const { schema } = opts;
  if (schema === undefined) return { schema, sql: OUTBOX_TABLE, label: OUTBOX_TABLE };
  if (typeof schema !== 'string' || !SCHEMA_NAME_PATTERN.test(schema)) {
    throw new OutboxConfigError('schema', schema, 'a PostgreSQL identifier (letters, digits and _, not starting with a digit, at most 63)');
  }
  return { schema, sql: `"${schema}"."${OUTBOX_TABLE}"`, label: `${schema}.${OUTBOX_TABLE}` };
}

/** Turns PostgreSQL's "relation does not exist" into an error that says how to create the table. */
export function notMigrated(table: OutboxTable, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  // 42P01 undefined_table; 3F000 invalid_schema_name.
  return code === '42P01' || code === '3F000' ? new OutboxNotMigratedError(table.label, err) : err;
}
