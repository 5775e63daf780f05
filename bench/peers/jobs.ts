/**
 * Weft's job queue as a peer of the single-job shape: each job is one no-op
 * activity enqueued with `weft.jobs.enqueue` (sharded `jobShard` workflows,
 * local activities, micro-batched signals), on a worker built like the Weft
 * system's. A round ends when the shards count every job of the round as
 * finished; the shards' counters are read by query, which is also how a
 * caller would learn it, so the figure includes that cost.
 */
import { createWeftClient } from '../../src/client';
import type { JobsOptions } from '../../src/client/jobs';
import type { PeerSystem, Shape } from './shapes';
import { startWeftBenchWorker, type BenchServer, type WorkerKnobs } from './temporal';

export async function startJobsSystem(bench: BenchServer, codePath: string, opts: { name?: string; jobs?: JobsOptions; knobs?: WorkerKnobs; nodesPerRound: number }): Promise<PeerSystem> {
  const weftWorker = await startWeftBenchWorker(bench, codePath, `weft-jobs-bench-${process.pid}-${Date.now()}`, opts.knobs);
  const { config } = weftWorker;
  const weft = await createWeftClient({ config, client: { jobs: opts.jobs ?? {} } });
  // A queue of its own per system: variants sharing one queue shared its shards (started on the first
  // variant's task queue) and its keys (`r1-0`… in every variant), so later variants' jobs were refused
  // as duplicates and their rounds never finished.
  const queue = `bench-${weftWorker.config.taskQueue.replace(/[^a-z0-9._-]/g, '-')}`.slice(0, 100);
  let round = 0;
  let seen = 0;
  // A query waits for the shard's open workflow task; one that times out under load just means "not yet".
  const finished = async (): Promise<number> => {
    seen = await weft.jobs.summary(queue).then((all) => all.reduce((n, s) => n + s.counts.succeeded + s.counts.failed, 0), () => seen);
    return seen;
  };
  return {
    name: opts.name ?? 'Weft job queue',
    durability: bench.durability,
    nodesPerRound: opts.nodesPerRound,
    shapes: ['single'],
    async run(_shape: Shape, jobs: number): Promise<number> {
      const before = await finished();
      round++;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: jobs }, (_, i) => weft.jobs.enqueue({ queue, key: `r${round}-${i}`, activity: 'noop' })));
      // Every poll is a query per shard, which the shard's worker answers between waves, on the
      // same worker that runs the jobs; polls are kept sparse so they take little from the work.
      while ((await finished()) < before + jobs) await new Promise((r) => setTimeout(r, 100));
      return performance.now() - t0;
    },
    async close() {
      await weftWorker.stop();
    },
  };
}
