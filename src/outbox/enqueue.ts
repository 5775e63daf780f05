/**
 * The write side of the outbox: one INSERT on the caller's own connection,
 * inside the caller's transaction, so the row commits or rolls back with the
 * domain change next to it.
 */
import { randomUUID } from 'node:crypto';
import type { Client, PoolClient } from 'pg';
import { z } from 'zod';
import { OutboxConfigError, OutboxTransactionRequiredError } from './errors';
import { notMigrated, outboxTable, type OutboxTableOptions } from './table';

export interface OutboxEnqueueOptions {
  /** Name of the DAG to run; the relay resolves it (by default from the DAGs folder). */
  dag: string;
  /** The run's input (JSON). Checked against the DAG's input schema by the relay, not here. */
  input?: unknown;
  /**
   * The run's id (workflow id), unique in the table: a second enqueue with the
   * same key is ignored, and one key only ever produces one run.
   * @defaultValue `<dag>-<random UUID>`
   */
  dedupeKey?: string;
  /** 1 (highest) to 5. @defaultValue Temporal's default, 3 */
  priority?: number;
}

const enqueueSchema = z
  .object({
    dag: z.string().min(1).max(200),
    input: z.unknown().optional(),
    // Temporal's default limit on workflow ids is 1,000 bytes.
    dedupeKey: z
      .string()
      .min(1)
      .refine((k) => Buffer.byteLength(k) <= 1000, 'at most 1000 bytes')
      .optional(),
    priority: z.number().int().min(1).max(5).optional(),
  })
  .strict();

const EXPECTED: Record<string, string> = {
  dag: 'a DAG name (a non-empty string of at most 200 characters)',
  dedupeKey: 'a non-empty string of at most 1000 bytes',
  priority: 'an integer from 1 (highest) to 5',
};

function parseOptions(o: OutboxEnqueueOptions): OutboxEnqueueOptions {
  const parsed = enqueueSchema.safeParse(o);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0]! : String(issue.path[0] ?? '(options)');
  const value = issue.code === 'unrecognized_keys' ? 'an unknown option' : (o as unknown as Record<string, unknown>)[key];
  throw new OutboxConfigError(key, value, EXPECTED[key] ?? 'one of dag, input, dedupeKey, priority');
}

function inputJson(input: unknown): string | null {
  if (input === undefined) return null;
  try {
    // Always stringify: pg would send a JS array as a PostgreSQL array, not JSON.
    return JSON.stringify(input) ?? null;
  } catch (err) {
    throw new OutboxConfigError('input', `[unserialisable: ${(err as Error).message}]`, 'JSON-serialisable');
  }
}

/**
 * Inserts an outbox row using the caller's connection and open transaction
 * (it never begins or commits). A row whose dedupe key exists already is
 * left as it is (`ON CONFLICT DO NOTHING`). Returns the dedupe key.
 *
 * ```ts
 * await client.query('BEGIN');
 * await client.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [id, total]);
 * await enqueueInTransaction(client, { dag: 'order-saga', input: { orderId: id }, dedupeKey: `order-${id}` });
 * await client.query('COMMIT');
 * ```
 *
 * @throws OutboxTransactionRequiredError outside BEGIN … COMMIT (nothing is written)
 * @throws OutboxConfigError for a bad option (nothing is written)
 */
export async function enqueueInTransaction(client: PoolClient | Client, options: OutboxEnqueueOptions, where: OutboxTableOptions = {}): Promise<string> {
  const table = outboxTable(where);
  const o = parseOptions(options);
  const dedupeKey = o.dedupeKey ?? `${o.dag}-${randomUUID()}`;
  const input = inputJson(o.input);
  try {
    // SAVEPOINT fails outside a transaction block, and nothing else is that exact and cheap.
    // Released at once, so no subtransaction is left open.
    await client.query('SAVEPOINT weft_outbox_enqueue; RELEASE SAVEPOINT weft_outbox_enqueue');
  } catch (err) {
    if ((err as { code?: unknown }).code === '25P01') throw new OutboxTransactionRequiredError(dedupeKey);
    throw err;
  }
  try {
    await client.query(`INSERT INTO ${table.sql} (dedupe_key, dag, input, priority) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (dedupe_key) DO NOTHING`, [
      dedupeKey,
      o.dag,
      input,
      o.priority ?? null,
    ]);
  } catch (err) {
    throw notMigrated(table, err);
  }
  return dedupeKey;
}
