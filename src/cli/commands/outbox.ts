/**
 * `weft outbox migrate|relay|status|requeue`: the transactional outbox's
 * commands. They parse flags, call src/outbox and render the result.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { Pool } from 'pg';
import {
  OUTBOX_DATABASE_URL_ENV,
  OutboxBatchError,
  OutboxConfigError,
  OutboxDatabaseUnavailableError,
  OutboxNotMigratedError,
  migrateOutbox,
  outboxStatus,
  requeueOutboxRows,
  runRelay,
  type BatchReport,
  type OutboxStatus,
  type RelayTotals,
} from '../../outbox';
import { isDatabaseUnreachable, isTemporalUnavailable } from '../../outbox/classify';
import { checkDatabaseUrl, redactUrl } from '../../outbox/run-relay';
import { SCHEMA_NAME_PATTERN } from '../../outbox/table';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { durationMsOption, positiveIntOption } from '../options';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

const SCHEMA_ENV = 'WEFT_OUTBOX_SCHEMA';

interface DatabaseFlags {
  databaseUrl?: string;
  schema?: string;
  json?: boolean;
}

function schemaOption(value: string): string {
  if (!SCHEMA_NAME_PATTERN.test(value)) throw new InvalidArgumentError(`Expected --schema to be a PostgreSQL identifier (letters, digits and _), got \`${value}\`.`);
  return value;
}

function withDatabaseOptions(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', `PostgreSQL with the outbox table (env ${OUTBOX_DATABASE_URL_ENV})`)
    .option('--schema <name>', `schema of weft_outbox (env ${SCHEMA_ENV}; default: the connection's search_path)`, schemaOption)
    .option('--json', 'machine output');
}

/** The URL and schema from flags, else the environment; a bad environment value is a config error (exit 3). */
function database(flags: DatabaseFlags): { url: string; schema?: string } {
  // Checked here rather than by commander, whose message would repeat the URL with its password.
  if (flags.databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(flags.databaseUrl)) {
    throw new CliError(`Expected --database-url to be a postgres:// or postgresql:// URL, got \`${redactUrl(flags.databaseUrl)}\`.`, EXIT.USAGE);
  }
  const fromEnv = process.env[OUTBOX_DATABASE_URL_ENV];
  if (flags.databaseUrl === undefined && !fromEnv) throw new CliError(`No database URL. Give --database-url or set ${OUTBOX_DATABASE_URL_ENV}.`, EXIT.CONFIG);
  let url: string;
  try {
    url = flags.databaseUrl ?? checkDatabaseUrl(fromEnv, `env ${OUTBOX_DATABASE_URL_ENV}`);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.CONFIG);
  }
  const schema = flags.schema ?? (process.env[SCHEMA_ENV] || undefined);
  if (schema !== undefined && !SCHEMA_NAME_PATTERN.test(schema)) throw new CliError(`Expected env ${SCHEMA_ENV} to be a PostgreSQL identifier, got \`${schema}\`.`, EXIT.CONFIG);
  return { url, ...(schema ? { schema } : {}) };
}

/** Maps the outbox's errors to exit codes; the rest goes to main(). */
function exitFor(e: unknown, url: string): never {
  if (e instanceof OutboxNotMigratedError) throw new CliError(e.message, EXIT.FAILURE);
  if (e instanceof OutboxConfigError) throw new CliError(e.message, EXIT.CONFIG);
  if (e instanceof OutboxDatabaseUnavailableError) throw new CliError(e.message, EXIT.UNAVAILABLE);
  if (e instanceof OutboxBatchError) throw new CliError(e.message, isTemporalUnavailable(e.cause) || isDatabaseUnreachable(e.cause) ? EXIT.UNAVAILABLE : EXIT.FAILURE);
  if (isDatabaseUnreachable(e)) throw new CliError(new OutboxDatabaseUnavailableError(redactUrl(url), e).message, EXIT.UNAVAILABLE);
  throw e;
}

async function withPool<T>(url: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    return await fn(pool);
  } catch (e) {
    return exitFor(e, url);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function age(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

function renderStatus(s: OutboxStatus): string {
  const lines = [
    `outbox ${s.table}`,
    `  pending    ${s.pending}${s.retrying ? `  (${s.retrying} retrying after errors)` : ''}`,
    `  published  ${s.published}`,
    `  parked     ${s.parked}`,
    `  oldest pending: ${s.oldestPendingAt === null ? 'none' : `${age(s.oldestPendingAgeMs ?? 0)} old (created ${s.oldestPendingAt})`}`,
  ];
  if (s.parkedRows.length) {
    lines.push(`parked rows (newest first${s.parked > s.parkedRows.length ? `, ${s.parkedRows.length} of ${s.parked}` : ''}):`);
    for (const r of s.parkedRows) lines.push(`  #${r.id}  ${r.dedupeKey}  dag ${r.dag}  ${r.attempts} attempts  ${r.lastError ?? ''}`.trimEnd());
    lines.push('requeue them with: weft outbox requeue <id...>  (or --all-parked)');
  }
  return lines.join('\n');
}

function renderBatch(r: BatchReport): string {
  return [
    `published ${r.published}${r.existing ? ` (${r.existing} already started)` : ''}`,
    r.failed ? `failed ${r.failed}${r.parked ? ` (${r.parked} parked)` : ''}` : '',
    `in ${r.durationMs}ms`,
  ]
    .filter(Boolean)
    .join(', ');
}

function renderTotals(t: RelayTotals): string {
  return `${t.batches} batch${t.batches === 1 ? '' : 'es'}: published ${t.published}${t.existing ? ` (${t.existing} already started)` : ''}, failed ${t.failed}, parked ${t.parked}${t.rolledBack ? `, ${t.rolledBack} rolled back` : ''}`;
}

interface RelayFlags extends DatabaseFlags, ConnectionFlags {
  batch?: number;
  interval?: number;
  maxAttempts?: number;
  retryDelay?: number;
  listen: boolean;
  once?: boolean;
}

export function registerOutbox(program: Command): void {
  const outbox = program
    .command('outbox')
    .description('Transactional outbox: turn rows written in your PostgreSQL transactions into runs')
    .addHelpText(
      'after',
      `\nExamples:\n  $ export ${OUTBOX_DATABASE_URL_ENV}=postgres://app@db:5432/shop\n  $ weft outbox migrate\n  $ weft outbox relay --batch 200 --interval 2s\n  $ weft outbox status --json\n`,
    );

  withDatabaseOptions(outbox.command('migrate').description('Create the weft_outbox table, its index and NOTIFY trigger if missing (idempotent)'))
    .addHelpText('after', '\nExamples:\n  $ weft outbox migrate --database-url postgres://app@127.0.0.1:5432/shop\n  $ weft outbox migrate --schema jobs\n')
    .action(async (flags: DatabaseFlags) => {
      const db = database(flags);
      await withPool(db.url, (pool) => migrateOutbox(pool, db));
      const table = db.schema ? `${db.schema}.weft_outbox` : 'weft_outbox';
      out(flags.json ? JSON.stringify({ migrated: true, table }) : `outbox table ${table} is ready`);
    });

  withConnectionOptions(
    withDatabaseOptions(
      outbox
        .command('relay')
        .description('Start one run per committed outbox row (id = dedupe key); runs until SIGTERM/SIGINT, finishing the batch in flight')
        .option('--batch <n>', 'rows claimed per transaction (default 100)', positiveIntOption('--batch'))
        .option('--interval <duration>', 'wait between polls when idle, e.g. 500ms, 5s (default 1s)', durationMsOption('--interval', 10))
        .option('--max-attempts <n>', 'failed attempts before a row is parked (default 10)', positiveIntOption('--max-attempts'))
        .option('--retry-delay <duration>', 'wait before retrying a failed row, doubling per attempt, at most 5m (default 1s)', durationMsOption('--retry-delay', 0))
        .option('--no-listen', 'poll only; do not LISTEN for the insert trigger')
        .option('--once', 'relay what is claimable now, then exit'),
    ),
  )
    .addHelpText(
      'after',
      '\nSeveral relays may run at once (FOR UPDATE SKIP LOCKED). A relay killed mid-batch loses nothing and\nduplicates nothing: its transaction rolls back and the repeated start returns the existing run.\n\nExamples:\n  $ weft outbox relay\n  $ weft outbox relay --once --json          # from cron; prints the totals as one JSON object\n  $ weft outbox relay --batch 500 --interval 250ms --task-queue orders\n',
    )
    .action(async (flags: RelayFlags) => {
      if (flags.batch !== undefined && flags.batch > 10_000) throw new CliError(`Expected --batch to be at most 10000, got \`${flags.batch}\`.`, EXIT.USAGE);
      const db = database(flags);
      const { weft } = await clientFrom(flags);
      const json = Boolean(flags.json);
      try {
        const totals = await runRelay({
          databaseUrl: db.url,
          ...(db.schema ? { schema: db.schema } : {}),
          weft,
          once: Boolean(flags.once),
          listen: flags.listen,
          ...(flags.batch !== undefined ? { batchSize: flags.batch } : {}),
          ...(flags.interval !== undefined ? { interval: flags.interval } : {}),
          ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
          ...(flags.retryDelay !== undefined ? { retryDelay: flags.retryDelay, maxRetryDelay: Math.max(flags.retryDelay, 300_000) } : {}),
          onStart: (relay) => {
            if (flags.once) return;
            if (json) out(JSON.stringify({ event: 'started', relayId: relay.relayId, table: relay.table.label }));
            else out(`relay ${relay.relayId} watching ${relay.table.label} (${flags.listen ? 'LISTEN and ' : ''}polling every ${flags.interval ?? 1000}ms)`);
          },
          onBatch: (report) => {
            if (flags.once) return;
            out(json ? JSON.stringify({ event: 'batch', ...report }) : renderBatch(report));
          },
          onError: (e) => err(json ? JSON.stringify({ event: 'error', message: e.message }) : `relay: ${e.message}`),
          onSignal: (signal) => err(json ? JSON.stringify({ event: 'signal', signal }) : `${signal}: finishing the batch in flight, then stopping (send it again to stop at once)`),
        });
        if (flags.once) out(json ? JSON.stringify(totals) : `relayed: ${renderTotals(totals)}`);
        else out(json ? JSON.stringify({ event: 'stopped', ...totals }) : `stopped after ${renderTotals(totals)}`);
      } catch (e) {
        exitFor(e, db.url);
      } finally {
        await weft.temporal.connection.close().catch(() => undefined);
      }
    });

  withDatabaseOptions(outbox.command('status').description('Count pending, published and parked rows, show the oldest pending row and the parked ones'))
    .addHelpText('after', '\nExamples:\n  $ weft outbox status\n  $ weft outbox status --json | jq .pending\n')
    .action(async (flags: DatabaseFlags) => {
      const db = database(flags);
      const status = await withPool(db.url, (pool) => outboxStatus(pool, db));
      out(flags.json ? JSON.stringify(status) : renderStatus(status));
    });

  withDatabaseOptions(
    outbox
      .command('requeue')
      .description('Make parked (or failing) rows claimable again, with their attempts reset')
      .argument('[ids...]', 'outbox row ids (see `weft outbox status`)')
      .option('--all-parked', 'every parked row'),
  )
    .addHelpText('after', '\nExamples:\n  $ weft outbox requeue 17 18\n  $ weft outbox requeue --all-parked\n')
    .action(async (ids: string[], flags: DatabaseFlags & { allParked?: boolean }) => {
      if (ids.length === 0 && !flags.allParked) throw new CliError('Give row ids or --all-parked.', EXIT.USAGE);
      if (ids.length > 0 && flags.allParked) throw new CliError('Give row ids or --all-parked, not both.', EXIT.USAGE);
      const bad = ids.find((id) => !/^\d{1,19}$/.test(id));
      if (bad !== undefined) throw new CliError(`Expected row ids to be positive integers, got \`${bad}\`.`, EXIT.USAGE);
      const db = database(flags);
      const requeued = await withPool(db.url, (pool) => requeueOutboxRows(pool, { ...db, ...(flags.allParked ? { allParked: true as const } : { ids }) }));
      const missing = ids.filter((id) => !requeued.includes(String(BigInt(id))));
      out(flags.json ? JSON.stringify({ requeued, missing }) : `requeued ${requeued.length} row${requeued.length === 1 ? '' : 's'}${requeued.length ? `: ${requeued.join(', ')}` : ''}`);
      if (missing.length) {
        if (!flags.json) err(`not requeued (no such unpublished row): ${missing.join(', ')}`);
        process.exitCode = EXIT.NOT_FOUND;
      }
    });
}
