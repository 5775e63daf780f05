/** Activities of the nightly report example (simulated figures). */
import { z } from 'zod';
import { defineActivity } from '../../src/activities';

export const collect = defineActivity({
  name: 'report.collect',
  input: z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  handler: ({ day }) => ({ day, orders: 128, revenueCents: 1_234_500 }),
});

export const build = defineActivity({
  name: 'report.build',
  input: z.object({ figures: z.object({ day: z.string(), orders: z.number(), revenueCents: z.number() }) }),
  handler: ({ figures }) => ({ reportId: `report-${figures.day}`, lines: 3 }),
});

export const publish = defineActivity({
  name: 'report.publish',
  input: z.object({ report: z.string(), approvedBy: z.string().nullable() }),
  handler: ({ report, approvedBy }) => ({ url: `https://reports.example.com/${report}`, approvedBy }),
});

export const activities = [collect, build, publish];
