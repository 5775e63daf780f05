/**
 * The partner API of the flaky-partner example (simulated). Switches make
 * its parts fail, so the example can show each error policy.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { defineActivity } from '../../src/activities';

/** Which parts of the partner are down; the test flips them. */
export const partnerDown = { thumbnail: false, push: false, book: false };

const invoice = z.object({ invoiceId: z.string() });

export const render = defineActivity({ name: 'partner.render', input: invoice, handler: ({ invoiceId }) => ({ pdf: `${invoiceId}.pdf` }) });

export const thumbnail = defineActivity({
  name: 'partner.thumbnail',
  input: invoice,
  handler: ({ invoiceId }) => {
    if (partnerDown.thumbnail) throw ApplicationFailure.nonRetryable('thumbnail service down', 'ThumbnailDown');
    return { png: `${invoiceId}.png` };
  },
});

export const push = defineActivity({
  name: 'partner.push',
  input: invoice,
  handler: ({ invoiceId }) => {
    if (partnerDown.push) throw new Error('partner API answered 503');
    return { accepted: invoiceId };
  },
});

export const book = defineActivity({
  name: 'partner.book',
  input: invoice.extend({ pushed: z.boolean() }),
  handler: ({ invoiceId, pushed }) => {
    if (partnerDown.book) throw ApplicationFailure.nonRetryable('ledger is closed for the month', 'LedgerClosed');
    return { booked: invoiceId, pushed };
  },
});

export const activities = [render, thumbnail, push, book];
