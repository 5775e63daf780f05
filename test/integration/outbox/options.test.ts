/** Bad options fail at once, naming the option and the value. */
import { describe, expect, it } from 'vitest';
import { Pool } from 'pg';
import type { WeftClient } from '../../../src/client/weft-client';
import { enqueueInTransaction, OutboxConfigError, OutboxRelay, type OutboxRelayOptions } from '../../../src/outbox';
import { testPool } from './support';

// Neither connects until used, and these tests never use them.
const pool = new Pool();
const weft = { catalog: undefined, startRun: () => Promise.reject(new Error('not used')) } satisfies OutboxRelayOptions['weft'];

describe('OutboxRelay options', () => {
  it.each([
    [{ batchSize: 0 }, 'Expected `batchSize` to be an integer from 1 to 10000, got `0`.'],
    [{ batchSize: 2.5 }, 'Expected `batchSize` to be an integer from 1 to 10000, got `2.5`.'],
    [{ interval: 'soon' }, 'Expected `interval` to be a duration such as 500ms, 5s or 1m (or milliseconds), at least 10ms, got `soon`.'],
    [{ interval: 5 }, 'Expected `interval` to be a duration such as 500ms, 5s or 1m (or milliseconds), at least 10ms, got `5`.'],
    [{ maxAttempts: -1 }, 'Expected `maxAttempts` to be an integer from 1 to 1000000, got `-1`.'],
    [{ retryDelay: '10m', maxRetryDelay: '1m' }, 'Expected `maxRetryDelay` to be at least retryDelay (600000ms), got `1m`.'],
    [{ claimTimeout: '10ms' }, 'Expected `claimTimeout` to be a duration such as 500ms, 5s or 1m (or milliseconds), at least 1000ms, got `10ms`.'],
    [{ startConcurrency: 0 }, 'Expected `startConcurrency` to be an integer from 1 to 1000, got `0`.'],
    [{ schema: 'bad-name' }, 'Expected `schema` to be a PostgreSQL identifier (letters, digits and _, not starting with a digit, at most 63), got `bad-name`.'],
    [{ listen: 'yes' }, 'Expected `listen` to be true or false, got `yes`.'],
  ])('rejects %j', (bad, message) => {
    const make = (): OutboxRelay => new OutboxRelay({ pool, weft, ...(bad as Partial<OutboxRelayOptions>) });
    expect(make).toThrow(OutboxConfigError);
    expect(make).toThrow(message);
  });

  it('rejects a missing client', () => {
    expect(() => new OutboxRelay({ pool, weft: undefined as unknown as WeftClient })).toThrow('Expected `weft` to be a WeftClient');
  });
});

describe('enqueueInTransaction options', () => {
  it.each([
    ['an empty dag', { dag: '' }, 'Expected `dag` to be a DAG name (a non-empty string of at most 200 characters), got ``.'],
    ['priority 9', { dag: 'd', priority: 9 }, 'Expected `priority` to be an integer from 1 (highest) to 5, got `9`.'],
    ['an empty dedupeKey', { dag: 'd', dedupeKey: '' }, 'Expected `dedupeKey` to be a non-empty string of at most 1000 bytes, got ``.'],
    ['an unknown option', { dag: 'd', delay: '1m' }, 'Expected `delay` to be one of dag, input, dedupeKey, priority, got `an unknown option`.'],
    ['input with a BigInt', { dag: 'd', input: { n: 1n } }, 'Expected `input` to be JSON-serialisable, got `[unserialisable: Do not know how to serialize a BigInt]`.'],
  ])('rejects %s before writing anything', async (_what, bad, message) => {
    const client = await testPool({ max: 1 }).connect();
    try {
      await expect(enqueueInTransaction(client, bad as never)).rejects.toThrow(message);
    } finally {
      client.release();
    }
  });
});
