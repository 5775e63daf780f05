/**
 * The hand-written baseline for the overhead benchmark: the same layered DAG
 * as a plain Temporal workflow, each node a promise that waits for its
 * dependencies, exactly the dataflow dagRun interprets.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export * from '../src/workflows';

const { noop } = proxyActivities<{ noop(input: unknown): Promise<unknown> }>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function handWrittenLayered(layers: number, width: number): Promise<Record<string, unknown>> {
  const results = new Map<string, Promise<unknown>>();
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const deps = l === 0 ? [] : [`n${l - 1}_${i}`, `n${l - 1}_${(i + 1) % width}`];
      const id = `n${l}_${i}`;
      results.set(
        id,
        Promise.all(deps.map((d) => results.get(d)!)).then(async (outs) => noop(l === 0 ? i : (outs[0] as number) + 1)),
      );
    }
  }
  const sinks: Record<string, unknown> = {};
  for (let i = 0; i < width; i++) sinks[`n${layers - 1}_${i}`] = await results.get(`n${layers - 1}_${i}`);
  return sinks;
}

/** Peers benchmark: one no-op activity, as a Temporal user would write a single job. */
export async function handSingle(): Promise<void> {
  await noop(null);
}

/** Peers benchmark: ten no-op activities, one after another. */
export async function handChain(length: number): Promise<void> {
  for (let i = 0; i < length; i++) await noop(null);
}

/** Peers benchmark: `width` no-op activities in parallel, then one more. */
export async function handChord(width: number): Promise<void> {
  await Promise.all(Array.from({ length: width }, () => noop(null)));
  await noop(null);
}

const { noop: localNoop } = proxyLocalActivities<{ noop(input: unknown): Promise<unknown> }>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Run-cost benchmark: no activity at all, so a run is a start, one workflow task and a completion (the design's floor). */
export async function handEmpty(): Promise<null> {
  return null;
}

/** Run-cost benchmark: one local activity, the cheapest way a run does a node's work. */
export async function handLocal(): Promise<unknown> {
  return localNoop(null);
}
