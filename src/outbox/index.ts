/**
 * The transactional outbox: write a row in the same PostgreSQL transaction
 * as the domain change, and a relay turns each committed row into exactly one
 * Weft run (workflow id = dedupe key).
 */
export { migrateOutbox, outboxMigrationSql } from './migrate';
export { enqueueInTransaction, type OutboxEnqueueOptions } from './enqueue';
export { OutboxRelay } from './relay';
export { runRelay, OUTBOX_DATABASE_URL_ENV, type RunRelayOptions } from './run-relay';
export type { BatchReport, DagResolver, OutboxRelayOptions, RelayClient, RelayTotals } from './relay-options';
export { outboxStatus, requeueOutboxRows, type OutboxStatus, type OutboxRowView } from './status';
export { OUTBOX_TABLE, OUTBOX_CHANNEL, type OutboxTableOptions } from './table';
export {
  OutboxBatchError,
  OutboxConfigError,
  OutboxDatabaseUnavailableError,
  OutboxNotMigratedError,
  OutboxTransactionRequiredError,
  OutboxUnknownDagError,
} from './errors';
