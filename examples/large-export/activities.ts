/** Activities of the large-export example: a big output and the node that consumes it. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineActivity } from '../../src/activities';

export const exportRows = defineActivity({
  name: 'export.rows',
  input: z.object({ rows: z.number().int().min(1).max(1_000_000) }),
  handler: ({ rows }) => Array.from({ length: rows }, (_, i) => ({ id: i, sku: `sku-${(i * 7919) % 100_000}`, cents: (i * 104_729) % 100_000 })),
});

export const upload = defineActivity({
  name: 'export.upload',
  input: z.object({ rows: z.array(z.object({ id: z.number(), sku: z.string(), cents: z.number() })) }),
  handler: ({ rows }) => ({ rows: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') }),
});

export const activities = [exportRows, upload];
