/**
 * `once(key, fn)`: runs `fn` at most once to success per key, stores its
 * result durably as JSON, and returns the stored result on every later call.
 *
 * While `fn` runs, its caller holds a claim with a lease that it keeps
 * renewing. A concurrent caller with the same key waits for the result; if
 * the claim is still live after `waitMs`, it fails retryably
 * (`WeftIdempotencyBusy`) and Temporal retries it later. A claim whose lease
 * lapsed (its worker died) is taken over. A failure of `fn` is recorded, not
 * stored as a result, so the next attempt runs `fn` again.
 *
 * This is at-most-once per success, not exactly-once: if a worker dies after
 * `fn`'s side effect but before the result is stored, the next attempt runs
 * `fn` again. Pass the key on to the system you call (as http.request does
 * with `Idempotency-Key`) to close that gap.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { currentCancellationSignal } from '../context';
import { ACTIVITY_FAILURE_TYPES, IdempotencyStoreNotSetError } from '../errors';
import { getDefaultIdempotencyStore } from './default-store';
import type { IdempotencyStore } from './store';

export interface OnceOptions {
  /** @defaultValue the store set with setDefaultIdempotencyStore() (the worker sets it) */
  store?: IdempotencyStore;
  /** How long a claim lasts without renewal; it is renewed every third of this while `fn` runs. @defaultValue 60000 */
  leaseMs?: number;
  /** How long to wait for another caller's live claim before failing retryably. @defaultValue 10000 */
  waitMs?: number;
  /** Stops the wait. @defaultValue the activity's cancellation signal, when called inside an activity */
  signal?: AbortSignal;
}

export const ONCE_DEFAULTS = { leaseMs: 60_000, waitMs: 10_000 } as const;

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1000;

function checkOption(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`once(): expected \`${name}\` to be a finite number >= ${min}, got ${String(value)}`);
}

function parseStored<T>(json: string | undefined): T {
  return (json === undefined ? undefined : JSON.parse(json)) as T;
}

function errorType(err: unknown): string | undefined {
  if (err instanceof ApplicationFailure && err.type) return err.type;
  return err instanceof Error ? err.name : undefined;
}

async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    // Surface the signal's own reason: inside an activity that is Temporal's CancelledFailure.
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

async function runClaimed<T>(store: IdempotencyStore, key: string, owner: string, leaseMs: number, fn: () => Promise<T> | T): Promise<T> {
  // Renewal failures are not fatal: if the lease lapses, another attempt may take over, which is the safe outcome.
  const renewal = setInterval(() => void store.renew(key, owner, leaseMs).catch(() => undefined), Math.max(10, Math.floor(leaseMs / 3)));
  renewal.unref();
  let value: T;
  try {
    value = await fn();
  } catch (err) {
    clearInterval(renewal);
    // If recording the failure fails too, the lease still lapses and a later attempt takes over; the caller needs fn's error.
    await store.fail(key, owner, { message: err instanceof Error ? err.message : String(err), ...(errorType(err) ? { type: errorType(err) } : {}) }).catch(() => undefined);
    throw err;
  }
  clearInterval(renewal);

  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    const message = `once("${key}"): the result cannot be stored as JSON: ${(err as Error).message}`;
    await store.fail(key, owner, { message, type: ACTIVITY_FAILURE_TYPES.idempotencyResultNotJson });
    throw ApplicationFailure.create({ message, type: ACTIVITY_FAILURE_TYPES.idempotencyResultNotJson, nonRetryable: true, cause: err as Error });
  }
  const stored = await store.succeed(key, owner, json);
  return parseStored<T>(stored.resultJson);
}

/**
 * Runs `fn` once per `key` and returns its result, now and on every repeat.
 * The result goes through JSON (Dates become strings), on the first call too,
 * so every call returns the same shape.
 *
 * ```ts
 * const charge = await once(`${idempotencyKey()}/charge`, () => payments.charge(order));
 * ```
 */
export async function once<T>(key: string, fn: () => Promise<T> | T, opts: OnceOptions = {}): Promise<T> {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`once(): expected \`key\` to be a non-empty string, got ${JSON.stringify(key)}`);
  const store = opts.store ?? getDefaultIdempotencyStore();
  if (!store) throw new IdempotencyStoreNotSetError(key);
  const leaseMs = opts.leaseMs ?? ONCE_DEFAULTS.leaseMs;
  const waitMs = opts.waitMs ?? ONCE_DEFAULTS.waitMs;
  checkOption('leaseMs', leaseMs, 1);
  checkOption('waitMs', waitMs, 0);
  const signal = opts.signal ?? currentCancellationSignal();

  const owner = randomUUID();
  const giveUpAt = Date.now() + waitMs;
  let pollMs = FIRST_POLL_MS;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const claim = await store.claim(key, owner, leaseMs);
    if (claim.outcome === 'done') return parseStored<T>(claim.resultJson);
    if (claim.outcome === 'claimed') return runClaimed(store, key, owner, leaseMs, fn);
    const left = giveUpAt - Date.now();
    if (left <= 0) {
      throw ApplicationFailure.create({
        message: `once("${key}"): another attempt holds this key until ${claim.leaseExpiresAt.toISOString()} (waited ${waitMs} ms); retry later`,
        type: ACTIVITY_FAILURE_TYPES.idempotencyBusy,
        nonRetryable: false,
        details: [{ key, owner: claim.owner, leaseExpiresAt: claim.leaseExpiresAt.toISOString(), store: store.description }],
      });
    }
    await wait(Math.min(pollMs, left), signal);
    pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
  }
}
