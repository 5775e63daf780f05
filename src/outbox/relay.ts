/**
 * The outbox relay: turns committed outbox rows into Weft runs.
 *
 * One batch is one PostgreSQL transaction: claim rows (FOR UPDATE SKIP
 * LOCKED), start one run per row with the row's dedupe key as the workflow id,
 * mark the rows published (or record their errors), commit. If the relay dies
 * before the commit, the transaction rolls back and the rows become claimable
 * again; starting them again creates nothing new, because a workflow id that
 * was used once is rejected (REJECT_DUPLICATE) and startRun returns the run
 * that exists. So a row becomes exactly one run, however often it is retried.
 */
import type { PoolClient } from 'pg';
import type { StartedRun } from '../client/weft-client';
import { requireCatalog } from '../client/catalog';
import { asError, describeError, isTemporalUnavailable } from './classify';
import { OutboxBatchError, OutboxNotMigratedError, OutboxUnknownDagError } from './errors';
import { emptyTotals, resolveRelayOptions, retryDelayAfter, type BatchReport, type DagResolver, type OutboxRelayOptions, type RelayTotals, type ResolvedRelayOptions } from './relay-options';
import { claimBatch, markFailed, markPublished, type ClaimedRow } from './sql';
import { notMigrated, OUTBOX_CHANNEL, outboxTable, type OutboxTable } from './table';

type Outcome = { row: ClaimedRow; started: StartedRun } | { row: ClaimedRow; error: unknown };

/** Longest wait after batches that keep rolling back (Temporal or PostgreSQL down). */
const MAX_ERROR_BACKOFF_MS = 30_000;

export class OutboxRelay {
  readonly relayId: string;
  readonly table: OutboxTable;
  private readonly o: ResolvedRelayOptions;
  private readonly resolveDag: DagResolver;
  private stopping = false;
  private loop: Promise<RelayTotals> | undefined;
  private listener: PoolClient | undefined;
  private detachListener: (() => void) | undefined;
  /** Set by a NOTIFY; the next idle wait is skipped. */
  private wakePending = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.table = outboxTable(opts);
    this.o = resolveRelayOptions(opts);
    this.relayId = this.o.relayId;
    this.resolveDag =
      opts.resolveDag ??
      ((name) => requireCatalog(opts.weft.catalog, name).get(name));
  }

  /** Claims one batch, starts its runs and settles it in one transaction. */
  async runOnce(): Promise<BatchReport> {
    const t0 = Date.now();
    this.wakePending = false;
    const client = await this.opts.pool.connect();
    // The server may end the session (claimTimeout) while no query is active; without a listener that would crash the process.
    let lost: Error | undefined;
    const onError = (err: Error): void => void (lost ??= err);
    client.on('error', onError);
    let claimed: ClaimedRow[] = [];
    let failure: unknown;
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('idle_in_transaction_session_timeout', $1, true)", [String(this.o.claimTimeoutMs)]);
      claimed = await claimBatch(client, this.table, this.o.batchSize);
      if (claimed.length === 0) {
        await client.query('COMMIT');
        return { claimed: 0, published: 0, existing: 0, failed: 0, parked: 0, durationMs: Date.now() - t0 };
      }
      const outcomes = await this.startAll(claimed);
      const published = outcomes.flatMap((x) => ('started' in x ? [{ id: x.row.id, runId: x.started.runId, existing: x.started.existing }] : []));
      const failed = outcomes.flatMap((x) =>
        'error' in x ? [{ id: x.row.id, error: describeError(x.error), retryInMs: retryDelayAfter(x.row.attempts + 1, this.o) }] : [],
      );
      await markPublished(client, this.table, this.relayId, published);
      const parked = await markFailed(client, this.table, this.relayId, this.o.maxAttempts, failed);
      if (lost) throw lost;
      await client.query('COMMIT');
      const report = {
        claimed: claimed.length,
        published: published.length,
        existing: published.filter((p) => p.existing).length,
        failed: failed.length,
        parked: parked.length,
        durationMs: Date.now() - t0,
      };
      this.opts.onBatch?.(report);
      return report;
    } catch (err) {
      failure = err;
      await client.query('ROLLBACK').catch(() => undefined);
      const known = notMigrated(this.table, err);
      throw known instanceof OutboxNotMigratedError ? known : new OutboxBatchError(claimed.length, err);
    } finally {
      client.removeListener('error', onError);
      // After a failure the connection may be broken: destroy it rather than return it to the pool.
      client.release(failure === undefined ? undefined : asError(failure));
    }
  }

  /** Starts the batch's runs, a few at a time. Throws (rolling the batch back) if Temporal is unavailable. */
  private async startAll(rows: readonly ClaimedRow[]): Promise<Outcome[]> {
    // Resolve each DAG name once per batch: edits to the DAGs folder show from the next batch on.
    const dags = new Map<string, () => ReturnType<DagResolver>>();
    const dagOf = (name: string): NonNullable<ReturnType<DagResolver>> => {
      let get = dags.get(name);
      if (!get) {
        try {
          const dag = this.resolveDag(name);
          get = () => dag;
        } catch (err) {
          get = () => {
            throw err;
          };
        }
        dags.set(name, get);
      }
      const dag = get();
      if (dag === undefined) throw new OutboxUnknownDagError(name);
      return dag;
    };
    const outcomes: Outcome[] = [];
    let unavailable: { err: unknown } | undefined;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < rows.length && !unavailable) {
        const row = rows[next++]!;
        try {
          const started = await this.opts.weft.startRun({
            dag: dagOf(row.dag),
            input: row.input ?? null,
            id: row.dedupe_key,
            ...(row.priority !== null ? { priority: row.priority } : {}),
            ...(this.opts.taskQueue ? { taskQueue: this.opts.taskQueue } : {}),
          });
          outcomes.push({ row, started });
        } catch (err) {
          if (isTemporalUnavailable(err)) unavailable ??= { err };
          else outcomes.push({ row, error: err });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.startConcurrency, rows.length) }, lane));
    if (unavailable) throw unavailable.err;
    return outcomes;
  }

  /**
   * Runs batches until one claims nothing (or stop() is called), then returns
   * the totals. For cron-style use (`weft outbox relay --once`). Errors end it.
   */
  async drain(): Promise<RelayTotals> {
    const totals = emptyTotals();
    while (!this.stopping) {
      const report = await this.runOnce();
      if (report.claimed === 0) break;
      add(totals, report);
    }
    return totals;
  }

  /**
   * Polls until stop(): a batch, then (unless the batch was full) a wait of
   * `interval`, cut short by a NOTIFY from the insert trigger. Batches that
   * roll back are reported to onError and retried with backoff. Resolves with
   * the totals once the last batch is settled; rejects only if the table is missing.
   */
  run(): Promise<RelayTotals> {
    if (this.loop) throw new Error(`relay ${this.relayId} is already running`);
    this.stopping = false;
    this.loop = this.poll().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  /** Asks run() to stop after the batch in flight; resolves with its totals when it has. */
  async stop(): Promise<RelayTotals | undefined> {
    this.stopping = true;
    this.wake?.();
    return this.loop;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  private async poll(): Promise<RelayTotals> {
    const totals = emptyTotals();
    let failures = 0;
    try {
      if (this.o.listen) await this.listen();
      while (!this.stopping) {
        let report: BatchReport;
        try {
          report = await this.runOnce();
          failures = 0;
        } catch (err) {
          if (err instanceof OutboxNotMigratedError) throw err;
          failures++;
          totals.rolledBack++;
          this.opts.onError?.(asError(err));
          await this.sleep(Math.min(this.o.intervalMs * 2 ** failures, MAX_ERROR_BACKOFF_MS), false);
          continue;
        }
        if (report.claimed > 0) add(totals, report);
        // A full batch means more rows are probably waiting.
        if (report.claimed === this.o.batchSize) continue;
        if (this.o.listen && !this.listener) await this.listen();
        await this.sleep(this.o.intervalMs, true);
      }
    } finally {
      await this.unlisten();
    }
    return totals;
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopping || (wakeable && this.wakePending)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = wakeable ? done : () => (this.stopping ? done() : undefined);
    });
  }

  /** Holds one connection that LISTENs for the insert trigger. On failure, polling carries on alone. */
  private async listen(): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.opts.pool.connect();
      const held = client;
      const onError = (err: Error): void => {
        if (this.listener !== held) return;
        this.listener = undefined;
        detach();
        held.release(err);
        this.opts.onError?.(new Error(`LISTEN connection lost (polling every ${this.o.intervalMs}ms until it is back): ${err.message}`));
      };
      const onNotification = (msg: { channel: string; payload?: string }): void => {
        if (msg.channel !== OUTBOX_CHANNEL || (this.table.schema !== undefined && msg.payload !== this.table.schema)) return;
        this.wakePending = true;
        this.wake?.();
      };
      const detach = (): void => {
        held.removeListener('error', onError);
        held.removeListener('notification', onNotification);
      };
      held.on('error', onError);
      held.on('notification', onNotification);
      this.detachListener = detach;
      this.listener = held;
      await held.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      if (this.listener === client) {
        this.listener = undefined;
        this.detachListener?.();
      }
      client?.release(asError(err));
      this.opts.onError?.(new Error(`LISTEN failed, polling every ${this.o.intervalMs}ms: ${describeError(err)}`));
    }
  }

  private async unlisten(): Promise<void> {
    const client = this.listener;
    if (!client) return;
    this.listener = undefined;
    let failure: Error | undefined;
    try {
      await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      failure = asError(err);
    } finally {
      this.detachListener?.();
      this.detachListener = undefined;
      client.release(failure);
    }
  }
}

function add(totals: RelayTotals, r: BatchReport): void {
  totals.batches++;
  totals.claimed += r.claimed;
  totals.published += r.published;
  totals.existing += r.existing;
  totals.failed += r.failed;
  totals.parked += r.parked;
}
