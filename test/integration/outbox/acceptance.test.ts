/**
 * Acceptance: 1,000 rows written by 4 concurrent writers, each in its own
 * transactions, drained by 3 concurrent relays (each with its own pool, as
 * separate processes would have), become exactly 1,000 runs, and every row
 * is published exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { enqueueInTransaction, OutboxRelay, type RelayTotals } from '../../../src/outbox';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { exampleWorker } from '../../helpers/examples';
import { noopDag, resolverFor } from './dags';
import { eventually, inTransaction, outboxSchema, rows, runsOfDag, testPool } from './support';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const ROWS = 1000;
const WRITERS = 4;
const ROWS_PER_TRANSACTION = 10;
const RELAYS = 3;

describe('outbox acceptance', () => {
  it('turns 1,000 rows from 4 concurrent writers into exactly 1,000 runs with 3 concurrent relays, publishing each row once', { timeout: 240_000 }, async () => {
    const { schema, pool } = await outboxSchema();
    const { weft } = await exampleWorker(env);
    const dag = noopDag(uniqueId('outbox-accept'));
    await pool.query(`CREATE TABLE "${schema}".orders (id text PRIMARY KEY, writer int NOT NULL)`);
    const t0 = Date.now();

    const relays = Array.from(
      { length: RELAYS },
      (_, i) => new OutboxRelay({ pool: testPool({ max: 3 }), weft, schema, resolveDag: resolverFor(dag), batchSize: 50, interval: '200ms', relayId: `relay-${i}` }),
    );
    const running = relays.map((r) => r.run());

    // Each writer commits ROWS_PER_TRANSACTION orders at a time, each with its outbox row in the same transaction, while the relays drain.
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const writerPool = testPool({ max: 1 });
      for (let t = 0; t < ROWS / WRITERS / ROWS_PER_TRANSACTION; t++) {
        const ids = Array.from({ length: ROWS_PER_TRANSACTION }, (_, k) => `w${w}-t${t}-r${k}`);
        await inTransaction(writerPool, async (client) => {
          for (const id of ids) {
            await client.query(`INSERT INTO "${schema}".orders (id, writer) VALUES ($1, $2)`, [id, w]);
            await enqueueInTransaction(client, { dag: dag.name, input: { id }, dedupeKey: `${dag.name}-${id}` }, { schema });
          }
        });
      }
    });
    await Promise.all(writers);
    const written = Date.now();

    await eventually(`all ${ROWS} rows published`, async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".weft_outbox WHERE published_at IS NOT NULL`)).rows[0]!.n === ROWS, 180_000, 200);
    const drained = Date.now();
    const totals: RelayTotals[] = (await Promise.all(relays.map((r) => r.stop()))).map((t) => t!);
    await Promise.all(running);

    const ids = await runsOfDag(env, dag.name, ROWS, 120_000);
    const counted = Date.now();
    // The runs are real: the worker completes every one of them.
    const completed = await eventually(
      `${ROWS} completed runs`,
      async () => {
        const { count } = await env.client.workflow.count(`WeftDag = '${dag.name}' AND ExecutionStatus = 'Completed'`);
        return count >= ROWS && count;
      },
      180_000,
      500,
    );
    const finished = Date.now();
    const state = await rows(pool, schema);
    const sum = (k: keyof RelayTotals): number => totals.reduce((n, t) => n + t[k], 0);
    console.log(
      `[outbox acceptance] rows written ${state.length} by ${WRITERS} writers in ${written - t0} ms; ` +
        `relays published ${totals.map((t) => t.published).join(' + ')} = ${sum('published')} (existing ${sum('existing')}, failed ${sum('failed')}, batches ${sum('batches')}) ` +
        `and the last row was published ${drained - t0} ms after the start; ` +
        `visibility counts ${ids.length} runs (${new Set(ids).size} distinct ids) for DAG ${dag.name}, counted after ${counted - t0} ms; ${completed} completed after ${finished - t0} ms; ` +
        `rows published ${state.filter((r) => r.published_at).length}, with attempts=1: ${state.filter((r) => r.attempts === 1).length}`,
    );

    expect(state).toHaveLength(ROWS);
    expect((await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".orders`)).rows[0]!.n).toBe(ROWS);
    expect(sum('published')).toBe(ROWS);
    expect(sum('existing')).toBe(0);
    expect(sum('failed')).toBe(0);
    expect(totals.every((t) => t.published > 0)).toBe(true);
    expect(ids).toHaveLength(ROWS);
    expect(completed).toBe(ROWS);
    expect(new Set(ids)).toEqual(new Set(state.map((r) => r.dedupe_key)));
    expect(state.filter((r) => r.published_at !== null && r.attempts === 1 && r.run_id !== null)).toHaveLength(ROWS);
    expect(new Set(state.map((r) => r.claimed_by))).toEqual(new Set(relays.map((r) => r.relayId)));
  });
});
