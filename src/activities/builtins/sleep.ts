/**
 * `sleep`: waits, heartbeating progress, and stops at once when cancelled.
 * For tests and demos of cancellation and progress; to delay a node durably,
 * use the node's `delay` (a workflow timer that costs no worker slot).
 */
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { defineActivity } from '../registry';
import { durationMs } from './input-fields';

/** Heartbeat (and cancellation check) interval. */
const TICK_MS = 1000;

export const sleepInput = z.strictObject({
  /** Milliseconds, or a duration such as `30s`. */
  ms: durationMs(),
});

export const sleep = defineActivity({
  name: 'sleep',
  description: 'Waits `ms` (a number or a duration), heartbeating; honours cancellation',
  input: sleepInput,
  handler: async ({ ms }, ctx): Promise<{ sleptMs: number }> => {
    const started = Date.now();
    const { sleep: contextSleep } = Context.current();
    for (let slept = 0; slept < ms; slept = Date.now() - started) {
      ctx.progress(slept, ms, 'sleeping');
      // Context.sleep rejects with CancelledFailure as soon as the activity is cancelled.
      await contextSleep(Math.min(TICK_MS, ms - slept));
    }
    ctx.progress(ms, ms, 'done');
    return { sleptMs: Date.now() - started };
  },
});
