/** How the relay settles rows that fail, backs off, parks, stops and wakes up. */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WeftClient, type StartRunOptions } from '../../../src/client/weft-client';
import type { CompiledDag } from '../../../src/dag';
import { OutboxBatchError, OutboxRelay, outboxStatus, requeueOutboxRows, type OutboxRelayOptions } from '../../../src/outbox';
import { gate } from '../../helpers/activities';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { exampleWorker } from '../../helpers/examples';
import { noopDag, resolverFor } from './dags';
import { enqueueCommitted, eventually, outboxSchema, rows } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function setup(): Promise<{ schema: string; pool: OutboxRelayOptions['pool']; weft: WeftClient; dag: CompiledDag }> {
  const { schema, pool } = await outboxSchema();
  const { weft } = await exampleWorker(env);
  return { schema, pool, weft, dag: noopDag(uniqueId('outbox')) };
}

/** run() in the background, stopped when the test finishes. */
function runInBackground(relay: OutboxRelay): void {
  const running = relay.run();
  onTestFinished(async () => {
    await relay.stop();
    await running;
  });
}

describe('outbox relay: failing rows', () => {
  it('records the error of a row whose DAG is unknown and publishes the rows around it in the same batch', async () => {
    const { schema, pool, weft, dag } = await setup();
    const missing = uniqueId('no-such-dag');
    const [before, bad, after] = await enqueueCommitted(pool, schema, [{ dag: dag.name }, { dag: missing }, { dag: dag.name }]);

    const report = await new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false }).runOnce();

    expect(report).toMatchObject({ claimed: 3, published: 2, failed: 1, parked: 0 });
    const state = await rows(pool, schema);
    expect(state.map((r) => [r.dedupe_key, r.published_at !== null, r.attempts])).toEqual([
      [before, true, 1],
      [bad, false, 1],
      [after, true, 1],
    ]);
    expect(state[1]!.last_error).toMatch(new RegExp(`^DagNotFoundError: no DAG named "${missing}"`));
    expect(state[1]!.parked_at).toBeNull();
  });

  it('records input that fails the DAG input schema, and runs the valid row of the same named DAG', async () => {
    const { schema, pool, weft } = await setup();
    const good = uniqueId('order');
    const [, invalid] = await enqueueCommitted(pool, schema, [
      { dag: 'order-saga', dedupeKey: good, input: { orderId: 'o-7', sku: 'mug', quantity: 1, amountCents: 900 } },
      { dag: 'order-saga', input: { orderId: 7 } },
    ]);

    // No resolver: named DAGs come from the client's DAGs folder (examples/).
    const report = await new OutboxRelay({ pool, weft, schema, listen: false }).runOnce();

    expect(report).toMatchObject({ published: 1, failed: 1 });
    expect(await env.client.workflow.getHandle(good).result()).toMatchObject({ orderId: 'o-7', tracking: 'TRK-o-7-DE' });
    const row = (await rows(pool, schema)).find((r) => r.dedupe_key === invalid)!;
    expect(row.last_error).toMatch(/^RunInputError: Invalid input for DAG order-saga:/);
    expect(row.last_error).toContain('input.orderId: must be string');
    expect(row.last_error).toContain('input.sku: is required');
  });

  it('does not claim a failed row again before its retry delay has passed', async () => {
    const { schema, pool, weft, dag } = await setup();
    await enqueueCommitted(pool, schema, [{ dag: 'missing' }]);
    const relay = new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false, retryDelay: '1h', maxRetryDelay: '2h' });

    expect(await relay.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await relay.runOnce()).toMatchObject({ claimed: 0 });
    expect(await outboxStatus(pool, { schema })).toMatchObject({ pending: 1, retrying: 1, parked: 0 });
  });

  it('parks a row after maxAttempts failed attempts: later batches skip it and status lists it', async () => {
    const { schema, pool, weft, dag } = await setup();
    const [key] = await enqueueCommitted(pool, schema, [{ dag: 'missing' }]);
    const relay = new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false, maxAttempts: 3, retryDelay: 0 });

    const reports = [await relay.runOnce(), await relay.runOnce(), await relay.runOnce()];
    expect(reports.map((r) => [r.failed, r.parked])).toEqual([
      [1, 0],
      [1, 0],
      [1, 1],
    ]);
    expect(await relay.runOnce()).toMatchObject({ claimed: 0 });
    const status = await outboxStatus(pool, { schema });
    expect(status).toMatchObject({ pending: 0, published: 0, parked: 1, oldestPendingAt: null });
    expect(status.parkedRows).toEqual([expect.objectContaining({ dedupeKey: key, dag: 'missing', attempts: 3, lastError: expect.stringContaining('no DAG named "missing"') })]);
  });

  it('publishes a parked row once it is requeued and its DAG can be resolved', async () => {
    const { schema, pool, weft, dag } = await setup();
    const later = noopDag(uniqueId('outbox-later'));
    const known = new Map<string, CompiledDag>([[dag.name, dag]]);
    const [key] = await enqueueCommitted(pool, schema, [{ dag: later.name, input: 'late' }]);
    const relay = new OutboxRelay({ pool, weft, schema, resolveDag: (name) => known.get(name), listen: false, maxAttempts: 1 });
    expect(await relay.runOnce()).toMatchObject({ failed: 1, parked: 1 });
    expect((await rows(pool, schema))[0]!.last_error).toBe(`OutboxUnknownDagError: no DAG named "${later.name}" is known to this relay`);

    known.set(later.name, later);
    const [row] = await rows(pool, schema);
    expect(await requeueOutboxRows(pool, { schema, ids: [row!.id] })).toEqual([row!.id]);
    expect(await relay.runOnce()).toMatchObject({ published: 1 });
    expect(await env.client.workflow.getHandle(key!).result()).toEqual({ echo: 'late' });
  });
});

describe('outbox relay: outages, stopping and waking', () => {
  it('rolls the batch back and counts no attempt when Temporal is unreachable', async () => {
    const { schema, pool, dag } = await setup();
    await enqueueCommitted(pool, schema, [{ dag: dag.name }, { dag: dag.name }]);
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    // No retry interceptor, so the refused connection surfaces at once.
    const connection = Connection.lazy({ address: `127.0.0.1:${closedPort}`, interceptors: [] });
    onTestFinished(() => connection.close());
    const unreachable = new WeftClient(new Client({ connection }));

    const error = await new OutboxRelay({ pool, weft: unreachable, schema, resolveDag: resolverFor(dag), listen: false }).runOnce().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OutboxBatchError);
    expect((error as OutboxBatchError).claimed).toBe(2);
    expect((await rows(pool, schema)).map((r) => [r.attempts, r.last_error, r.published_at])).toEqual([
      [0, null, null],
      [0, null, null],
    ]);
  });

  it('stop() lets the batch in flight finish and commit, then run() resolves with its totals', async () => {
    const { schema, pool, weft, dag } = await setup();
    await enqueueCommitted(pool, schema, [{ dag: dag.name }, { dag: dag.name }]);
    const held = gate();
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    const slow = {
      catalog: undefined,
      startRun: async (o: StartRunOptions) => {
        entered();
        await held.wait();
        return weft.startRun(o);
      },
    };
    const relay = new OutboxRelay({ pool, weft: slow, schema, resolveDag: resolverFor(dag), listen: false });
    const running = relay.run();
    await inFlight;

    const stopped = relay.stop();
    held.release();

    expect(await stopped).toMatchObject({ batches: 1, published: 2 });
    await running;
    expect(relay.running).toBe(false);
    expect((await rows(pool, schema)).every((r) => r.published_at !== null)).toBe(true);
  });

  it('wakes on NOTIFY: a row committed while it idles is published long before the poll interval', async () => {
    const { schema, pool, weft, dag } = await setup();
    const relay = new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), interval: '1h' });
    runInBackground(relay);
    const published = (key: string) => async () => (await rows(pool, schema)).find((r) => r.dedupe_key === key)?.published_at;
    // The first row may be taken by the first poll; after it, the relay sleeps for an hour unless woken.
    const [first] = await enqueueCommitted(pool, schema, [{ dag: dag.name }]);
    await eventually('the first row published', published(first!), 10_000);

    const [second] = await enqueueCommitted(pool, schema, [{ dag: dag.name }]);

    await eventually('the second row published', published(second!), 10_000);
  });

  it('releases the rows of a relay that hangs mid-batch after claimTimeout, and another relay publishes them', async () => {
    const { schema, pool, weft, dag } = await setup();
    const [key] = await enqueueCommitted(pool, schema, [{ dag: dag.name }]);
    const held = gate();
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    const hanging = new OutboxRelay({
      pool,
      schema,
      resolveDag: resolverFor(dag),
      listen: false,
      claimTimeout: '1s',
      weft: {
        catalog: undefined,
        startRun: async (o: StartRunOptions) => {
          entered();
          await held.wait();
          return weft.startRun(o);
        },
      },
    });
    const hung = hanging.runOnce().catch((e: unknown) => e);
    await inFlight;

    const other = new OutboxRelay({ pool, weft, schema, resolveDag: resolverFor(dag), listen: false });
    await eventually('the other relay to publish the row', async () => (await other.runOnce()).published === 1, 15_000, 200);

    held.release();
    expect(await hung).toBeInstanceOf(OutboxBatchError);
    expect((await rows(pool, schema)).map((r) => [r.dedupe_key, r.attempts, r.claimed_by])).toEqual([[key, 1, other.relayId]]);
  });
});
