/**
 * The worker side of `npm run bench -- scale`, in a process of its own so its
 * memory is the worker's alone: bench/scale.ts forks it (`node --import tsx`)
 * and reads its peak RSS (VmHWM) from /proc. Two roles:
 *
 *   bundle PATH            writes the workflow bundle and exits (webpack's
 *                          memory belongs to neither side: a deployed worker
 *                          loads a pre-built bundle)
 *   run ADDRESS BUNDLE Q   runs a worker built like Weft's (codec,
 *                          interceptors, telemetry sinks, stack capture off
 *                          unless WEFT_BENCH_STACK_TRACES=on, SDK defaults) on
 *                          task queue Q until the parent says `stop`
 *
 * While it runs it answers the parent's `report` message with what only it
 * can see: activity executions per node (by activity id, which Weft's
 * interceptor sets to the node's id for local activities too), "Task not
 * found when completing" warnings, its CPU time and heap figures.
 */
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { getHeapStatistics } from 'node:v8';
import { weftDataConverter } from '../src/payloads';
import { telemetrySinks } from '../src/telemetry/worker';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { installCountingRuntime } from './histories';

/** What the worker sends back for `report`. */
export interface WorkerReport {
  executions: number;
  /** Nodes that ran more than once, and the most runs of one node. */
  repeatedNodes: number;
  maxPerNode: number;
  distinctNodes: number;
  taskNotFound: number;
  cpuMs: number;
  heapUsedMiB: number;
  externalMiB: number;
  stackTraces: string;
}

const MiB = 2 ** 20;

async function run(address: string, codePath: string, taskQueue: string): Promise<void> {
  const counter = installCountingRuntime();
  const perNode = new Map<string, number>();
  let executions = 0;
  const connection = await NativeConnection.connect({ address });
  const { value: worker, state } = await withWorkflowStackTraces(process.env.WEFT_BENCH_STACK_TRACES === 'on', () =>
    Worker.create({
      connection,
      taskQueue,
      workflowBundle: { codePath },
      dataConverter: weftDataConverter(),
      activities: {
        noop: async (x: unknown) => {
          executions++;
          const id = Context.current().info.activityId;
          perNode.set(id, (perNode.get(id) ?? 0) + 1);
          return x;
        },
      },
      interceptors: { activity: [weftActivityInterceptor] },
      // The bundle carries Weft's workflow telemetry interceptors, which call these sinks.
      sinks: telemetrySinks(),
    }),
  );
  const report = (): WorkerReport => {
    let repeatedNodes = 0;
    let maxPerNode = 0;
    for (const n of perNode.values()) {
      if (n > 1) repeatedNodes++;
      maxPerNode = Math.max(maxPerNode, n);
    }
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    return {
      executions,
      repeatedNodes,
      maxPerNode,
      distinctNodes: perNode.size,
      taskNotFound: counter.taskNotFound(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      heapUsedMiB: mem.heapUsed / MiB,
      externalMiB: mem.external / MiB,
      stackTraces: state,
    };
  };
  process.on('message', (m: unknown) => {
    if (m === 'report') process.send?.({ report: report() });
    if (m === 'reset') {
      // Between runs of one process (the ratio benchmarks): per-run counts.
      perNode.clear();
      executions = 0;
    }
    if (m === 'stop') worker.shutdown();
  });
  const running = worker.run();
  process.send?.({ ready: true, heapLimitMiB: getHeapStatistics().heap_size_limit / MiB });
  await running;
  await connection.close();
}

async function main(): Promise<void> {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'bundle') {
    await writeWorkflowBundle(rest[0]!, require.resolve('./workflows'));
    return;
  }
  if (role === 'run') return run(rest[0]!, rest[1]!, rest[2]!);
  throw new Error(`bench/scale-worker.ts: expected role "bundle" or "run", got ${String(role)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
