/**
 * Overhead of tracing on the 100-node benchmark DAG (10 layers × 10 no-op
 * nodes), side by side in one process on one dev server: the same dagRun
 * through an untraced worker and client, and through a traced worker and
 * client whose spans go over OTLP http/protobuf to a local receiver that
 * accepts and discards them. Runs alternate so drift in the machine's load
 * hits both sides. Reports median wall time, the ratio, spans exported, and
 * the load average before and after.
 *
 * Usage: npx tsx bench/tracing.ts [--runs N]   (default 5 per side)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { telemetryActivityInterceptors, telemetrySinks } from '../src/telemetry/worker';
import { tracingClientInterceptors } from '../src/telemetry/client';
import { startTracing } from '../src/telemetry/tracing';
import { layeredDag } from './layered';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/** An OTLP/HTTP endpoint that accepts everything: the exporter does its full work, the bench keeps nothing. */
async function sink(): Promise<{ url: string; requests: () => number; close: () => void }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests, close: () => server.close() };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-tracing-'));
  const receiver = await sink();
  console.log(`dev server ${server.version} on ${server.address}; node ${process.version}; ${cpus().length} CPUs; ${RUNS} runs per side; load before ${load()}`);
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('./workflows'));
    const connection = await Connection.connect({ address: server.address });
    const native = await NativeConnection.connect({ address: server.address });
    const make = (taskQueue: string) =>
      Worker.create({
        connection: native,
        taskQueue,
        workflowBundle: { codePath },
        sinks: telemetrySinks(),
        activities: { noop: async (x: unknown) => x },
        interceptors: { activity: [...telemetryActivityInterceptors(), weftActivityInterceptor] },
        maxConcurrentActivityTaskExecutions: 200,
      });
    // The untraced side is built before tracing starts, exactly as a process without OTEL_* would be.
    const off = { worker: await make('bench-trace-off'), client: new Client({ connection }) };
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    const tracing = (await startTracing({ serviceName: 'weft-bench' }))!;
    const on = { worker: await make('bench-trace-on'), client: new Client({ connection, interceptors: tracingClientInterceptors()! }) };
    const running = [off.worker.run(), on.worker.run()];
    const dag = packDag(compileDag(layeredDag('bench-tracing', 10, 10, 100)));
    const timed = async (side: typeof on, taskQueue: string): Promise<number> => {
      const t0 = performance.now();
      await (await side.client.workflow.start('dagRun', { taskQueue, workflowId: `bench-${taskQueue}-${Date.now()}-${Math.random()}`, args: [{ dag }] })).result();
      return performance.now() - t0;
    };
    try {
      // Warm-up, not counted.
      await timed(off, 'bench-trace-off');
      await timed(on, 'bench-trace-on');
      const ms = { off: [] as number[], on: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
        for (const k of order) ms[k].push(await timed(k === 'on' ? on : off, `bench-trace-${k}`));
      }
      await tracing.flush();
      const [offMs, onMs] = [median(ms.off), median(ms.on)];
      console.log('\ntracing overhead: 100-node layered DAG (10 × 10), no-op activities, OTLP http/protobuf to a local receiver');
      console.log(`  tracing off  median ${offMs.toFixed(0)} ms   (runs: ${ms.off.map((x) => x.toFixed(0)).join(', ')} ms)`);
      console.log(`  tracing on   median ${onMs.toFixed(0)} ms   (runs: ${ms.on.map((x) => x.toFixed(0)).join(', ')} ms)`);
      console.log(`  ratio        ${(onMs / offMs).toFixed(3)}×   OTLP export requests: ${receiver.requests()}   load after ${load()}`);
    } finally {
      off.worker.shutdown();
      on.worker.shutdown();
      await Promise.all(running);
      await tracing.shutdown();
    }
    await connection.close();
  } finally {
    receiver.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
