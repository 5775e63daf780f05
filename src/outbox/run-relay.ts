/**
 * A relay as a process: connects to PostgreSQL and Temporal, runs until
 * SIGTERM/SIGINT (finishing the batch in flight) or, with `once`, until
 * nothing is left to claim, then closes what it opened.
 */
import { Pool } from 'pg';
import { createWeftClient, type WeftClient } from '../client';
import { isDatabaseUnreachable } from './classify';
import { OutboxConfigError, OutboxDatabaseUnavailableError } from './errors';
import { OutboxRelay } from './relay';
import type { OutboxRelayOptions, RelayClient, RelayTotals } from './relay-options';
import { notMigrated, outboxTable } from './table';

/** Environment variable with the outbox database's URL. */
export const OUTBOX_DATABASE_URL_ENV = 'WEFT_OUTBOX_DATABASE_URL';

export interface RunRelayOptions extends Omit<OutboxRelayOptions, 'pool' | 'weft'> {
  /** postgres:// URL of the database with weft_outbox (or give `pool`). @defaultValue env WEFT_OUTBOX_DATABASE_URL */
  databaseUrl?: string;
  /** Use this pool; it is left open. */
  pool?: Pool;
  /** Use this client; otherwise one is created from the Weft config (flags > file > env) and closed at the end. */
  weft?: RelayClient;
  /** Drain what is claimable now and return, instead of polling until stopped. @defaultValue false */
  once?: boolean;
  /** Stop gracefully on SIGTERM and SIGINT; a second signal ends the process at once. @defaultValue true */
  signals?: boolean;
  /** Called when the relay is connected and about to claim its first batch. */
  onStart?: (relay: OutboxRelay) => void;
  /** Called when a signal asks the relay to stop. */
  onSignal?: (signal: NodeJS.Signals) => void;
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL, but it may still hold a password between ':' and '@'.
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** Checks a database URL; errors name where it came from. */
export function checkDatabaseUrl(url: string | undefined, source: string): string {
  if (url === undefined || url === '') throw new OutboxConfigError(source, url ?? '', `a postgres:// URL (or set ${OUTBOX_DATABASE_URL_ENV})`);
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // Reported below.
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw new OutboxConfigError(source, redactUrl(url), 'a postgres:// or postgresql:// URL');
  return url;
}

/** Runs an outbox relay until stopped (or, with `once`, until drained) and returns its totals. */
export async function runRelay(opts: RunRelayOptions = {}): Promise<RelayTotals> {
  const url = opts.pool ? undefined : checkDatabaseUrl(opts.databaseUrl ?? process.env[OUTBOX_DATABASE_URL_ENV], opts.databaseUrl !== undefined ? 'databaseUrl' : OUTBOX_DATABASE_URL_ENV);
  const table = outboxTable(opts);
  const pool = opts.pool ?? new Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 10_000 });
  // Idle connections that drop surface on their next use; without a listener they would crash the process.
  if (!opts.pool) pool.on('error', () => undefined);
  let ownClient: WeftClient | undefined;
  const cleanups: Array<() => void> = [];
  try {
    try {
      await pool.query(`SELECT 1 FROM ${table.sql} LIMIT 0`);
    } catch (err) {
      const known = notMigrated(table, err);
      if (known !== err) throw known;
      throw isDatabaseUnreachable(err) ? new OutboxDatabaseUnavailableError(url ? redactUrl(url) : 'the given pool', err) : err;
    }
    const weft = opts.weft ?? (ownClient = await createWeftClient());
    const relay = new OutboxRelay({ ...opts, pool, weft });
    if (opts.signals ?? true) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const handler = (): void => {
          opts.onSignal?.(signal);
          void relay.stop();
        };
        // once(): a second signal finds no handler and ends the process; the open batch rolls back.
        process.once(signal, handler);
        cleanups.push(() => process.removeListener(signal, handler));
      }
    }
    opts.onStart?.(relay);
    return opts.once ? await relay.drain() : await relay.run();
  } finally {
    for (const cleanup of cleanups) cleanup();
    if (ownClient) await ownClient.temporal.connection.close().catch(() => undefined);
    if (!opts.pool) await pool.end().catch(() => undefined);
  }
}
