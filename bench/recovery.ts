/**
 * Crash recovery: how long a node takes to finish when its worker process is
 * SIGKILLed mid-call, with default settings.
 *
 *   npx tsx bench/recovery.ts [--variant default|no-heartbeat] [--slow-ms 4000]
 *
 * One dev server; a local HTTP server that answers each request after
 * --slow-ms; a DAG with one http.request node. The worker runs in a child
 * process. Once the request arrives, the worker is SIGKILLed and a new one
 * started at once; the figure is the time from the kill to the run's result.
 * `no-heartbeat` removes the node's heartbeat timeout after compiling, which
 * is what every DAG got before built-ins had a default one: the attempt then
 * waits for its start-to-close timeout (5 minutes), so expect a long wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivityRegistry } from '../src/activities/create-registry';
import { compileDag } from '../src/dag/compile';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};

/** Child mode: a worker with the built-in activities, until it is killed. */
async function childWorker(address: string, taskQueue: string, bundlePath: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const registry = await createActivityRegistry();
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    activities: registry.toWorkerActivities(),
    interceptors: { activity: [weftActivityInterceptor] },
    workflowBundle: { codePath: bundlePath },
  });
  const running = worker.run();
  console.log('ready');
  await running;
}

function startChild(address: string, taskQueue: string, bundlePath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', address, taskQueue, bundlePath], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)} before it was ready`)));
  });
}

async function main(): Promise<void> {
  const variant = flag('--variant', 'default');
  const slowMs = Number(flag('--slow-ms', '4000'));
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-recovery-'));
  const bundlePath = await writeWorkflowBundle(join(scratch, 'bundle.js'));
  const arrivals: number[] = [];
  const http = createServer((_req, res) => {
    arrivals.push(Date.now());
    setTimeout(() => res.end(JSON.stringify({ ok: true })), slowMs);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  const taskQueue = `recovery-${Date.now()}`;
  const children: ChildProcess[] = [];
  try {
    children.push(await startChild(server.address, taskQueue, bundlePath));
    const dag = compileDag({ name: 'recovery', nodes: [{ id: 'call', activity: 'http.request', input: { url: `http://127.0.0.1:${port}/slow`, timeout: '1m' } }] });
    if (variant === 'no-heartbeat') delete dag.nodes[0]!.call!.timeouts.heartbeatMs;
    console.log(`variant ${variant}: heartbeat timeout ${dag.nodes[0]!.call!.timeouts.heartbeatMs ?? 'none'} ms, start-to-close ${dag.nodes[0]!.call!.timeouts.startToCloseMs} ms, server answers after ${slowMs} ms`);
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const handle = await client.workflow.start('dagRun', { taskQueue, workflowId: `recovery-${Date.now()}`, args: [{ dag: packDag(dag), input: {} }] });
    while (arrivals.length === 0) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.min(1000, slowMs / 2)));
    const killedAt = Date.now();
    children[0]!.kill('SIGKILL');
    children.push(await startChild(server.address, taskQueue, bundlePath));
    await handle.result();
    const doneAt = Date.now();
    const retriedAt = arrivals[1];
    console.log(`recovery after SIGKILL: ${((doneAt - killedAt) / 1000).toFixed(1)} s to the run's result; retry reached the server ${retriedAt ? ((retriedAt - killedAt) / 1000).toFixed(1) : '?'} s after the kill; attempts seen ${arrivals.length}`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    http.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (args[0] === '--child') {
  void childWorker(args[1]!, args[2]!, args[3]!);
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
