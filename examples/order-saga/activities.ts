/**
 * Activities of the order saga example (a simulated shop). Each keys its
 * side effect on the node's idempotency key, so a retry never double-books.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { defineActivity } from '../../src/activities';

/** Ship to anywhere but "XX", which no carrier serves: that is how the example fails. */
export const UNSERVED_COUNTRY = 'XX';

export const reserveStock = defineActivity({
  name: 'orders.reserveStock',
  input: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().min(1) }),
  handler: ({ sku, quantity }, ctx) => ({ reservationId: `res-${ctx.idempotencyKey}`, sku, quantity }),
});

export const releaseStock = defineActivity({
  name: 'orders.releaseStock',
  input: z.object({ reservationId: z.string() }),
  handler: ({ reservationId }) => ({ released: reservationId }),
});

export const chargeCard = defineActivity({
  name: 'orders.chargeCard',
  input: z.object({ orderId: z.string(), amountCents: z.number().int().min(1) }),
  handler: ({ amountCents }, ctx) => {
    if (amountCents > 1_000_000) throw ApplicationFailure.nonRetryable('card declined: amount over limit', 'CardDeclined');
    return { chargeId: `ch-${ctx.idempotencyKey}`, amountCents };
  },
});

export const refund = defineActivity({
  name: 'orders.refund',
  input: z.object({ chargeId: z.string(), amountCents: z.number().int().min(1) }),
  handler: ({ chargeId, amountCents }) => ({ refunded: chargeId, amountCents }),
});

export const bookShipping = defineActivity({
  name: 'orders.bookShipping',
  input: z.object({ orderId: z.string(), country: z.string().length(2) }),
  handler: ({ orderId, country }) => {
    if (country === UNSERVED_COUNTRY) throw ApplicationFailure.nonRetryable(`no carrier serves country ${country}`, 'NoCarrier');
    return { tracking: `TRK-${orderId}-${country}` };
  },
});

export const activities = [reserveStock, releaseStock, chargeCard, refund, bookShipping];
