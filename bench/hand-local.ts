/**
 * Bundle entry of the hand-written side of bench/worker-cost.ts: the peer
 * shapes with local activities, which is how Weft runs no-op nodes by default
 * (`mode: auto`). The options match what Weft compiles for a node with
 * default settings, so both sides ask the worker for the same work. It is
 * bundled alone, without Weft's workflows and interceptors: the SDK sets up
 * every module of a bundle again for each workflow run, so sharing Weft's
 * bundle would charge Weft's set-up to the hand-written side.
 */
import { proxyLocalActivities } from '@temporalio/workflow';

const { noop } = proxyLocalActivities<{ noop(input: unknown): Promise<unknown> }>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** One no-op local activity. */
export async function handLocalSingle(): Promise<void> {
  await noop(null);
}

/** Ten no-op local activities, one after another. */
export async function handLocalChain(length: number): Promise<void> {
  for (let i = 0; i < length; i++) await noop(null);
}

/** `width` no-op local activities in parallel, then one more. */
export async function handLocalChord(width: number): Promise<void> {
  await Promise.all(Array.from({ length: width }, () => noop(null)));
  await noop(null);
}
