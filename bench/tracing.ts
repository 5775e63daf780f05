/**
 * Overhead of tracing on the 100-node benchmark DAG (10 layers × 10 no-op
 * nodes), side by side in one process on one dev server: the same dagRun
 * through an untraced worker and client, and through a traced worker and
 * client whose spans go over OTLP http/protobuf to a local receiver that
 * accepts and discards them. Runs alternate so drift in the machine's load
 * hits both sides. Reports median wall time, median CPU time of this process
 * (worker, client and exporter all run here, so CPU time shows the cost of
 * tracing even on a machine too loaded for wall time to), the ratios, the
 * export requests, and the load average before and after.
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
    const timed = async (side: typeof on, taskQueue: string): Promise<{ ms: number; cpuMs: number }> => {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      await (await side.client.workflow.start('dagRun', { taskQueue, workflowId: `bench-${taskQueue}-${Date.now()}-${Math.random()}`, args: [{ dag }] })).result();
      const cpu = process.cpuUsage(c0);
      return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    };
    try {
      // Warm-up, not counted.
      await timed(off, 'bench-trace-off');
      await timed(on, 'bench-trace-on');
      const runs = { off: [] as Array<{ ms: number; cpuMs: number }>, on: [] as Array<{ ms: number; cpuMs: number }> };
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
        for (const k of order) runs[k].push(await timed(k === 'on' ? on : off, `bench-trace-${k}`));
      }
      await tracing.flush();
      const report = (k: 'off' | 'on') => ({ ms: median(runs[k].map((r) => r.ms)), cpuMs: median(runs[k].map((r) => r.cpuMs)) });
      const [o, t] = [report('off'), report('on')];
      const list = (k: 'off' | 'on', f: 'ms' | 'cpuMs') => runs[k].map((r) => r[f].toFixed(0)).join(', ');
      console.log('\ntracing overhead: 100-node layered DAG (10 × 10), no-op activities, OTLP http/protobuf to a local receiver');
      console.log(`  tracing off  wall median ${o.ms.toFixed(0)} ms (${list('off', 'ms')})   CPU median ${o.cpuMs.toFixed(0)} ms (${list('off', 'cpuMs')})`);
      console.log(`  tracing on   wall median ${t.ms.toFixed(0)} ms (${list('on', 'ms')})   CPU median ${t.cpuMs.toFixed(0)} ms (${list('on', 'cpuMs')})`);
      console.log(`  ratio        wall ${(t.ms / o.ms).toFixed(3)}×   CPU ${(t.cpuMs / o.cpuMs).toFixed(3)}×   OTLP export requests: ${receiver.requests()}   load after ${load()}`);
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
