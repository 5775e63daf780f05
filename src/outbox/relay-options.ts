/** The relay's options, their defaults, and their validation (once, at construction). */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { StartedRun, StartRunOptions, WeftClient } from '../client/weft-client';
import { parseDuration } from '../dag/duration';
import { OutboxConfigError } from './errors';
import type { OutboxTableOptions } from './table';

/** What the relay needs of a WeftClient. */
export type RelayClient = Pick<WeftClient, 'catalog'> & { startRun(o: StartRunOptions): Promise<StartedRun> };

/** What a DAG name in a row becomes: a name startRun resolves itself, a compiled DAG or a definition; undefined when unknown. */
export type DagResolver = (name: string) => StartRunOptions['dag'] | undefined;

export interface BatchReport {
  /** Rows this batch locked. */
  claimed: number;
  /** Rows marked published: runs started now, plus `existing`. */
  published: number;
  /** Of `published`, rows whose run existed already (a start repeated after a crash). */
  existing: number;
  /** Rows whose attempt failed (recorded in last_error). */
  failed: number;
  /** Of `failed`, rows parked by this attempt. */
  parked: number;
  durationMs: number;
}

/** Sums over the batches of a drain() or run(). */
export interface RelayTotals {
  batches: number;
  claimed: number;
  published: number;
  existing: number;
  failed: number;
  parked: number;
  /** Batches that rolled back (Temporal or PostgreSQL unavailable); their rows were claimed again later. */
  rolledBack: number;
}

export function emptyTotals(): RelayTotals {
  return { batches: 0, claimed: 0, published: 0, existing: 0, failed: 0, parked: 0, rolledBack: 0 };
}

export interface OutboxRelayOptions extends OutboxTableOptions {
  /** Connections for the batches (and one held for LISTEN). The relay does not end it. */
  pool: Pool;
  /** Starts the runs. */
  weft: RelayClient;
  /** Rows claimed (and locked) per transaction. @defaultValue 100 */
  batchSize?: number;
  /** Time between polls when there is nothing to do (`500ms`, `5s`, or ms). @defaultValue 1s */
  interval?: string | number;
  /** Wake up at once when rows commit (LISTEN on the insert trigger's NOTIFY); polling stays as the backstop. @defaultValue true */
  listen?: boolean;
  /** Failed attempts after which a row is parked: the relay skips it until `requeueOutboxRows`. @defaultValue 10 */
  maxAttempts?: number;
  /** Wait before retrying a failed row; doubles with each attempt. @defaultValue 1s */
  retryDelay?: string | number;
  /** Longest wait between retries of a failed row. @defaultValue 5m */
  maxRetryDelay?: string | number;
  /** Runs started at the same time within one batch. @defaultValue 10 */
  startConcurrency?: number;
  /**
   * PostgreSQL ends a batch's transaction, releasing its rows to other relays,
   * when the relay sends nothing for this long (a hung relay holds no rows for good).
   * @defaultValue 2m
   */
  claimTimeout?: string | number;
  /** Task queue of the runs. @defaultValue the WeftClient's */
  taskQueue?: string;
  /** Maps a row's `dag` to a DAG. @defaultValue the WeftClient's named DAGs (its DAGs folder) */
  resolveDag?: DagResolver;
  /** Written to `claimed_by`. @defaultValue `<hostname>:<pid>:<random>` */
  relayId?: string;
  /** Called after every batch that claimed rows. */
  onBatch?: (report: BatchReport) => void;
  /** Called when a batch rolled back (the loop goes on, with backoff). */
  onError?: (err: Error) => void;
}

export interface ResolvedRelayOptions {
  batchSize: number;
  intervalMs: number;
  listen: boolean;
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  startConcurrency: number;
  claimTimeoutMs: number;
  relayId: string;
}

function int(option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new OutboxConfigError(option, value, `an integer from ${min} to ${max}`);
  return value;
}

function duration(option: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined || ms < min) throw new OutboxConfigError(option, value, `a duration such as 500ms, 5s or 1m (or milliseconds)${min > 0 ? `, at least ${min}ms` : ''}`);
  return ms;
}

export function resolveRelayOptions(o: OutboxRelayOptions): ResolvedRelayOptions {
  if (!o.pool || typeof o.pool.connect !== 'function') throw new OutboxConfigError('pool', o.pool, 'a pg Pool');
  if (!o.weft || typeof o.weft.startRun !== 'function') throw new OutboxConfigError('weft', o.weft, 'a WeftClient');
  if (o.resolveDag !== undefined && typeof o.resolveDag !== 'function') throw new OutboxConfigError('resolveDag', o.resolveDag, 'a function from a DAG name to a DAG');
  if (o.listen !== undefined && typeof o.listen !== 'boolean') throw new OutboxConfigError('listen', o.listen, 'true or false');
  if (o.relayId !== undefined && (typeof o.relayId !== 'string' || o.relayId.length === 0)) throw new OutboxConfigError('relayId', o.relayId, 'a non-empty string');
  const retryDelayMs = duration('retryDelay', o.retryDelay, 0, 1000);
  const maxRetryDelayMs = duration('maxRetryDelay', o.maxRetryDelay, 0, 300_000);
  if (maxRetryDelayMs < retryDelayMs) throw new OutboxConfigError('maxRetryDelay', o.maxRetryDelay, `at least retryDelay (${retryDelayMs}ms)`);
  return {
    batchSize: int('batchSize', o.batchSize, 1, 10_000, 100),
    intervalMs: duration('interval', o.interval, 10, 1000),
    listen: o.listen ?? true,
    maxAttempts: int('maxAttempts', o.maxAttempts, 1, 1_000_000, 10),
    retryDelayMs,
    maxRetryDelayMs,
    startConcurrency: int('startConcurrency', o.startConcurrency, 1, 1000, 10),
    claimTimeoutMs: duration('claimTimeout', o.claimTimeout, 1000, 120_000),
    relayId: o.relayId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  };
}

/** Wait before the next attempt after `attempts` failed ones: retryDelay × 2^(attempts−1), capped. */
export function retryDelayAfter(attempts: number, o: Pick<ResolvedRelayOptions, 'retryDelayMs' | 'maxRetryDelayMs'>): number {
  return Math.min(o.maxRetryDelayMs, o.retryDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}
