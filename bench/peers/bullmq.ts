/**
 * BullMQ: a Worker with 50 concurrent jobs in this process, Queue.add for
 * single jobs, and FlowProducer for the chain (each node the child of the
 * next) and the chord (eight children under one parent).
 */
import { FlowProducer, Queue, Worker, type FlowJob } from 'bullmq';
import { CHAIN_LENGTH, CHORD_WIDTH, type PeerSystem, type Shape } from './shapes';
import type { RedisServer } from './redis';

const QUEUE = 'weft-bench';

function chainFlow(round: string, j: number): FlowJob {
  // BullMQ runs children before their parent, so the chain's first node is the deepest child.
  let flow: FlowJob = { name: `${round}-${j}-0`, queueName: QUEUE };
  for (let i = 1; i < CHAIN_LENGTH; i++) flow = { name: `${round}-${j}-${i}`, queueName: QUEUE, children: [flow] };
  return flow;
}

function chordFlow(round: string, j: number): FlowJob {
  const children = Array.from({ length: CHORD_WIDTH }, (_, i) => ({ name: `${round}-${j}-${i}`, queueName: QUEUE }));
  return { name: `${round}-${j}-callback`, queueName: QUEUE, children };
}

export async function startBullmq(redis: RedisServer, nodesPerRound: number): Promise<PeerSystem> {
  const connection = { host: '127.0.0.1', port: redis.port, db: 0, maxRetriesPerRequest: null };
  const queue = new Queue(QUEUE, { connection });
  const flows = new FlowProducer({ connection });
  let completed = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  const worker = new Worker(QUEUE, async () => null, { connection, concurrency: 50 });
  worker.on('completed', () => {
    completed++;
    if (waiter && completed >= waiter.target) waiter.resolve();
  });
  await worker.waitUntilReady();
  let rounds = 0;
  return {
    name: 'BullMQ',
    durability: `${redis.durability}; Worker concurrency 50`,
    nodesPerRound,
    async run(shape: Shape, jobs: number): Promise<number> {
      const round = `r${rounds++}`;
      completed = 0;
      const done = new Promise<void>((resolve) => (waiter = { target: jobs * shape.nodesPerJob, resolve }));
      const t0 = performance.now();
      const submits: Array<Promise<unknown>> = [];
      for (let j = 0; j < jobs; j++) {
        if (shape.name === 'single') submits.push(queue.add(`${round}-${j}`, {}));
        else submits.push(flows.add(shape.name === 'chain' ? chainFlow(round, j) : chordFlow(round, j)));
      }
      await Promise.all(submits);
      await done;
      waiter = undefined;
      return performance.now() - t0;
    },
    async close() {
      await worker.close();
      await flows.close();
      await queue.close();
    },
  };
}
