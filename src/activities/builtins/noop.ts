/** `noop`: returns its input unchanged. For benchmarks, tests, and placeholder nodes. */
import { z } from 'zod';
import { defineActivity } from '../registry';

export const noop = defineActivity({
  name: 'noop',
  description: 'Returns its input unchanged',
  input: z.unknown(),
  handler: (input) => input,
});
