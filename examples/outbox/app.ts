/**
 * An order service on the transactional outbox: the order row and the
 * outbox row commit in one transaction, so no order is saved without its
 * saga run, and no saga runs for an order that was rolled back.
 *
 * Run the relay next to it: `weft outbox relay` (WEFT_OUTBOX_DATABASE_URL
 * names the database). It starts one `order-saga` run per committed row.
 */
import type { Pool } from 'pg';
import { enqueueInTransaction, migrateOutbox } from '../../src/outbox';

export interface Order {
  orderId: string;
  sku: string;
  quantity: number;
  amountCents: number;
  country?: string;
}

/** At deploy time: the outbox table (idempotent; or `weft outbox migrate`) and the app's own table. */
export async function setUpDatabase(pool: Pool): Promise<void> {
  await migrateOutbox(pool);
  await pool.query(`CREATE TABLE IF NOT EXISTS orders (
    id text PRIMARY KEY,
    sku text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    amount_cents integer NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now()
  )`);
}

/** Saves the order and asks for its saga, atomically. Returns the saga's run id (the dedupe key). */
export async function placeOrder(pool: Pool, order: Order): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO orders (id, sku, quantity, amount_cents) VALUES ($1, $2, $3, $4)', [order.orderId, order.sku, order.quantity, order.amountCents]);
    // Same connection, same transaction: this row commits or rolls back with the order.
    const runId = await enqueueInTransaction(client, { dag: 'order-saga', input: order, dedupeKey: `order-${order.orderId}` });
    await client.query('COMMIT');
    return runId;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
