/** Errors of the outbox, each with the context a caller needs to act on it. */

/** An option has a bad value; names the option, the value and what was expected. */
export class OutboxConfigError extends Error {
  override readonly name = 'OutboxConfigError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`Expected \`${option}\` to be ${expected}, got \`${show(value)}\`.`);
  }
}

/** enqueueInTransaction() was called on a connection that is not inside BEGIN … COMMIT. */
export class OutboxTransactionRequiredError extends Error {
  override readonly name = 'OutboxTransactionRequiredError';
  constructor(readonly dedupeKey: string) {
    super(
      `enqueueInTransaction needs the caller's open transaction (after BEGIN), so the outbox row commits or rolls back with the domain change; ` +
        `nothing was written for dedupe key "${dedupeKey}"`,
    );
  }
}

/** The outbox table does not exist in the database (or schema) it was looked for in. */
export class OutboxNotMigratedError extends Error {
  override readonly name = 'OutboxNotMigratedError';
  constructor(
    readonly table: string,
    override readonly cause: unknown,
  ) {
    super(`the outbox table ${table} does not exist; create it with \`weft outbox migrate\` or migrateOutbox(pool)`);
  }
}

/** The relay's DAG resolver knows no DAG by this name. Recorded on the row. */
export class OutboxUnknownDagError extends Error {
  override readonly name = 'OutboxUnknownDagError';
  constructor(readonly dag: string) {
    super(`no DAG named "${dag}" is known to this relay`);
  }
}

/**
 * A batch could not be settled (Temporal or PostgreSQL unavailable, the
 * connection lost): its transaction rolled back, so every row it claimed is
 * claimable again and no attempt was counted.
 */
export class OutboxBatchError extends Error {
  override readonly name = 'OutboxBatchError';
  constructor(
    readonly claimed: number,
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(claimed ? `outbox batch of ${claimed} row${claimed === 1 ? '' : 's'} rolled back: ${why}` : `outbox batch failed before claiming rows: ${why}`);
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') return '[function]';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** PostgreSQL could not be reached (or refused the connection). */
export class OutboxDatabaseUnavailableError extends Error {
  override readonly name = 'OutboxDatabaseUnavailableError';
  constructor(
    /** The URL with its password hidden. */
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`PostgreSQL is not reachable at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
