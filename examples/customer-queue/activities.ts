/** The CRM of the customer-queue example (simulated): it records every change it applies, in order. */
import { z } from 'zod';
import { defineActivity } from '../../src/activities';

/** What the simulated CRM applied, per customer, in order. */
export const applied = new Map<string, unknown[]>();

export const crmApply = defineActivity({
  name: 'crm.apply',
  input: z.object({ customerId: z.string(), change: z.record(z.string(), z.unknown()) }),
  handler: async ({ customerId, change }) => {
    await new Promise((r) => setTimeout(r, 10));
    const list = applied.get(customerId) ?? [];
    list.push(change);
    applied.set(customerId, list);
    return { customerId, version: list.length };
  },
});

export const activities = [crmApply];
