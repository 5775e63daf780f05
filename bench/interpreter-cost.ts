/**
 * The interpreter's cost per node, three sides on one dev server, alternating:
 *
 *   main    the workflow bundle of the `main` branch (git archive of src/):
 *           remote calls, an evaluation per input, an async step per outcome;
 *   remote  this tree with every node `mode: remote` (lean calls);
 *   local   this tree with `mode: auto`, so the no-op nodes run as local activities.
 *
 * Each side runs the same DAG (a chain, or a layered DAG of width 10, no-op
 * nodes, literal and templated inputs), one run at a time, in this process. The
 * figures are the process's CPU time (user + system: workflow and activity
 * threads, gRPC, the client) per node, wall nodes/s and history events per
 * node; medians of the rounds. Record `uptime` next to them.
 *
 * Usage: npx tsx bench/interpreter-cost.ts [--shape chain|layered] [--nodes 200] [--rounds 3]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { compileDag } from '../src/dag';
import { packDag } from '../src/dag/pack';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { telemetrySinks } from '../src/telemetry/worker';
import { layeredDag } from './layered';
import { median } from './stats';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SHAPE = flag('shape', 'chain');
const NODES = Number(flag('nodes', '200'));
const ROUNDS = Number(flag('rounds', '3'));
const ROOT = join(__dirname, '..');

function definition(mode: 'remote' | 'auto'): Record<string, unknown> {
  if (SHAPE === 'layered') {
    const dag = layeredDag(`cost-layered-${mode}`, Math.ceil(NODES / 10), 10, 100);
    return { ...dag, defaults: { mode } };
  }
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    id: `n${i}`,
    activity: 'noop',
    ...(i > 0 ? { after: [`n${i - 1}`] } : {}),
    // Every other node has a literal input, the rest read the previous output.
    input: i % 2 === 0 ? { i } : { from: `{{ nodes.n${i - 1}.output }}` },
  }));
  return { name: `cost-chain-${mode}`, defaults: { mode }, concurrency: 100, nodes };
}

/** The `main` branch's workflows, bundled from a copy of its src/ that resolves packages from this tree. */
async function mainBundle(scratch: string): Promise<string> {
  const dir = join(scratch, 'main');
  mkdirSync(dir);
  execSync(`git -C ${ROOT} archive main src | tar -x -C ${dir}`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return writeWorkflowBundle(join(scratch, 'main.js'), join(dir, 'src', 'workflows', 'index.ts'));
}

interface Sample {
  cpuMsPerNode: number;
  nodesPerSecond: number;
  eventsPerNode: number;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-cost-'));
  try {
    const bundles = { main: await mainBundle(scratch), now: await writeWorkflowBundle(join(scratch, 'now.js'), join(ROOT, 'src', 'workflows', 'index.ts')) };
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const native = await NativeConnection.connect({ address: server.address });
    const sides = [
      { name: 'main', queue: 'cost-main', codePath: bundles.main, dag: packDag(compileDag(definition('remote'))) },
      { name: 'remote', queue: 'cost-remote', codePath: bundles.now, dag: packDag(compileDag(definition('remote'))) },
      { name: 'local', queue: 'cost-local', codePath: bundles.now, dag: packDag(compileDag(definition('auto'))) },
    ];
    const workers = await Promise.all(
      sides.map((s) =>
        Worker.create({
          connection: native,
          taskQueue: s.queue,
          workflowBundle: { codePath: s.codePath },
          sinks: telemetrySinks(),
          activities: { noop: async (x: unknown) => x },
          interceptors: { activity: [weftActivityInterceptor] },
        }),
      ),
    );
    const running = workers.map((w) => w.run());
    const nodes = compileDag(definition('auto')).nodes.length;
    const once = async (side: (typeof sides)[number]): Promise<Sample> => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const handle = await client.workflow.start('dagRun', { taskQueue: side.queue, workflowId: `cost-${side.name}-${Date.now()}-${Math.random()}`, args: [{ dag: side.dag }] });
      await handle.result();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const events = (await handle.describe()).historyLength;
      return { cpuMsPerNode: (cpu.user + cpu.system) / 1000 / nodes, nodesPerSecond: nodes / (ms / 1000), eventsPerNode: events / nodes };
    };
    console.log(`interpreter cost: ${SHAPE}, ${nodes} no-op nodes, ${ROUNDS} rounds; load before ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
    for (const s of sides) await once(s); // warm-up, not counted
    const results = new Map<string, Sample[]>(sides.map((s) => [s.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order so the machine's drift falls on every side.
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(r + k) % sides.length]!;
        results.get(side.name)!.push(await once(side));
      }
    }
    for (const s of sides) {
      const rs = results.get(s.name)!;
      console.log(
        `  ${s.name.padEnd(7)} CPU ${median(rs.map((x) => x.cpuMsPerNode)).toFixed(2)} ms/node (${rs.map((x) => x.cpuMsPerNode.toFixed(2)).join(', ')})` +
          `  ${median(rs.map((x) => x.nodesPerSecond)).toFixed(1)} nodes/s  ${median(rs.map((x) => x.eventsPerNode)).toFixed(2)} events/node`,
      );
    }
    console.log(`load after ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
    workers.forEach((w) => w.shutdown());
    await Promise.all(running);
    await connection.close();
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
