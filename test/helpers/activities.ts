/** Activity behaviours the engine tests compose. */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** Heartbeats until cancelled (then rethrows the cancellation), or until `ms` elapse. */
export function heartbeatUntilCancelled(onCancel: () => void, ms = 60_000): (input: unknown) => Promise<unknown> {
  return async (input) => {
    const ctx = Context.current();
    const deadline = Date.now() + ms;
    try {
      while (Date.now() < deadline) {
        ctx.heartbeat();
        await ctx.sleep(100);
      }
    } catch (err) {
      onCancel();
      throw err;
    }
    return input;
  };
}

export async function nonRetryable(input: { message?: string } | null): Promise<never> {
  throw ApplicationFailure.nonRetryable(input?.message ?? 'boom', 'Boom');
}

/** Blocks until `release` is called; for observing a run mid-flight. */
export function gate(): { wait: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const p = new Promise<void>((r) => (release = r));
  return { wait: () => p, release };
}
