import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CancelledFailure } from '@temporalio/common';
import {
  defaultSqliteIdempotencyPath,
  IdempotencyStoreNotSetError,
  once,
  openIdempotencyStore,
  PostgresIdempotencyStore,
  setDefaultIdempotencyStore,
  SqliteIdempotencyStore,
} from '../../../src/activities';
import { activityEnv, rejectionOf } from './support/activity-env';
import { describeOnceBehaviours } from './support/once-behaviours';

const dir = mkdtempSync(join(tmpdir(), 'weft-once-'));
const file = join(dir, 'nested', 'idempotency.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeOnceBehaviours('SQLite', { open: async () => new SqliteIdempotencyStore(file) });

describe('the default store', () => {
  afterEach(() => {
    setDefaultIdempotencyStore(undefined);
  });

  it('is required: without one, once() says how to set it', async () => {
    const err = await rejectionOf(once('wf-1/a', () => 1));
    expect(err).toBeInstanceOf(IdempotencyStoreNotSetError);
    expect((err as Error).message).toContain('setDefaultIdempotencyStore');
  });

  it('is used when no store is passed', async () => {
    const store = new SqliteIdempotencyStore(file);
    setDefaultIdempotencyStore(store);
    await once('wf-default/a', () => 'stored');
    expect(await once('wf-default/a', () => 'not run')).toBe('stored');
    await store.close();
  });
});

describe('once() inside an activity', () => {
  it('stops waiting for another claim when the activity is cancelled', async () => {
    const store = new SqliteIdempotencyStore(file);
    await store.claim('wf-cancel/a', 'other', 60_000);
    const env = activityEnv();
    const waiting = env.run(() => once('wf-cancel/a', () => 'never', { store, waitMs: 60_000 }));
    env.cancel();
    expect(await rejectionOf(waiting)).toBeInstanceOf(CancelledFailure);
    await store.close();
  });
});

describe('openIdempotencyStore', () => {
  it('opens SQLite under the data dir when no URL is given', async () => {
    const store = openIdempotencyStore({ dataDir: join(dir, 'data') });
    expect(store).toBeInstanceOf(SqliteIdempotencyStore);
    expect(store.description).toBe(`sqlite:${defaultSqliteIdempotencyPath(join(dir, 'data'))}`);
    await store.close();
  });

  it('opens PostgreSQL for a postgres:// URL, without connecting yet', async () => {
    const store = openIdempotencyStore({ url: 'postgres://weft:secret@127.0.0.1:1/weft', dataDir: dir });
    expect(store).toBeInstanceOf(PostgresIdempotencyStore);
    expect(store.description).not.toContain('secret');
    await store.close();
  });

  it('rejects another kind of URL, naming it', () => {
    expect(() => openIdempotencyStore({ url: 'redis://127.0.0.1', dataDir: dir })).toThrow(/expected a postgres:\/\/ URL or sqlite:<path>, got "redis:\/\/127.0.0.1"/);
  });

  it('rejects a table name that is not a plain identifier', () => {
    expect(() => new PostgresIdempotencyStore({ connectionString: 'postgres://x@127.0.0.1/db', table: 'x; DROP TABLE y' })).toThrow(/table/);
  });
});

describe('once() options', () => {
  it.each([
    [{ leaseMs: 0 }, 'leaseMs'],
    [{ waitMs: -1 }, 'waitMs'],
  ])('rejects %j', async (opts, name) => {
    const store = new SqliteIdempotencyStore(file);
    await expect(once('wf-opts/a', () => 1, { store, ...opts })).rejects.toThrow(`expected \`${name}\``);
    await store.close();
  });
});
