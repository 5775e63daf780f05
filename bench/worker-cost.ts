/**
 * The worker's CPU per run and per node (issue 10, section 15 of
 * BENCHMARKS.md): each side's worker runs in a process of its own, so its
 * CPU is read from /proc without the client's or the server's, thread by
 * thread.
 *
 *   weft   a worker built as `weft worker` builds it (built-in registry, Weft's
 *          activity interceptors and telemetry, the default codec, stack
 *          capture off), running DAGs started through WeftClient.startRun;
 *          no-op nodes are local activities (`mode: auto`).
 *   hand   a plain SDK worker (stack capture off too) running the same shapes
 *          hand-written with local activities (bench/hand-local.ts).
 *
 * Shapes: single node, chain of 10, chord 8 + 1. A batch starts --runs runs
 * of one shape at once and waits for all; the figure is the worker's CPU for
 * the batch divided by runs and by nodes. Sides alternate, rounds rotate, the
 * median of --rounds is printed with the load average.
 *
 * Threads, by /proc/<pid>/task/<tid>/comm: `main` (tid = pid: activities,
 * interceptors, the codec, telemetry, the SDK's JS side of the bridge),
 * `workflow` (the SDK's workflow threads: the interpreter), `core` (tokio and
 * the core's workflow-processing thread: Temporal's Rust core and gRPC), `gc`
 * (threads named `node` that existed before the Worker: V8's platform threads,
 * which run most of GC and compilation, and libuv's pool), `other`.
 *
 * Usage: npx tsx bench/worker-cost.ts [--rounds 3] [--runs 60] [--shapes single,chain,chord]
 *          [--sides weft,hand] [--prof DIR]   (--prof: the workers run with --cpu-prof into DIR)
 *          sides: weft (this tree), weft@REF (the workflows of a commit, e.g. weft@HEAD against
 *          uncommitted changes), weft-preload --preload a,b (bundler preloadModules), hand; a Weft
 *          side may take a part away: weft+nocodec (no payload codec), weft+notelemetry (no
 *          telemetry interceptors, sinks that do nothing)
 *        npx tsx bench/worker-cost.ts summarize DIR [--top 40]   (self time by function and by part)
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { configSchema } from '../src/config/schema';
import { createWeftClient } from '../src/client';
import { createActivityRegistry } from '../src/activities';
import { buildDag, chain, chord, group, task } from '../src/dag/builder';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { defaultWorkflowsPath, workflowInterceptorModules, writeWorkflowBundle } from '../src/workers/bundle';
import { createActivityInterceptor } from '../src/workers/interceptors';
import { createPayloadSupport } from '../src/payloads/support';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { telemetryActivityInterceptors, telemetrySinks } from '../src/telemetry/worker';
import { startBenchServer } from './peers/temporal';
import { flag, loadLine, median, numberFlag, rotate } from './stats';
import { summarize } from './cpu-profile';

const args = process.argv.slice(2);
const ROOT = join(__dirname, '..');
const TICK_MS = 1000 / 100; // USER_HZ on Linux

/** `weft`, `weft@<git ref>` (the bundle of that commit), `weft-preload` (with --preload modules shared between runs) or `hand`. */
type SideName = string;
const isWeft = (side: SideName): boolean => side.startsWith('weft');
type ShapeName = 'single' | 'chain' | 'chord';
const NODES: Record<ShapeName, number> = { single: 1, chain: 10, chord: 9 };

// ---- the worker process -------------------------------------------------------------

async function workerMain(): Promise<void> {
  const side = flag(args, 'side', 'weft');
  const address = flag(args, 'address', '');
  const taskQueue = flag(args, 'queue', '');
  const codePath = flag(args, 'bundle', '');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-worker-cost-'));
  let options: Parameters<typeof Worker.create>[0];
  if (isWeft(side)) {
    const config = configSchema.parse({ dataDir, taskQueue, temporal: { address } });
    const registry = await createActivityRegistry();
    const payloads = createPayloadSupport(config.payloads, { dataDir });
    options = {
      connection,
      taskQueue,
      activities: registry.toWorkerActivities(),
      // `+nocodec` and `+notelemetry` take one part away, to measure what it costs.
      ...(side.includes('+nocodec') ? {} : { dataConverter: payloads.dataConverter }),
      interceptors: { activity: [...(side.includes('+notelemetry') ? [] : telemetryActivityInterceptors()), createActivityInterceptor(), ...payloads.activityInterceptors] },
      sinks: side.includes('+notelemetry') ? { weftTelemetry: { runStarted: { fn: () => undefined }, runEnded: { fn: () => undefined }, nodeFailed: { fn: () => undefined } }, exporter: { export: { fn: () => undefined } } } : telemetrySinks(),
      workflowBundle: { codePath },
    };
  } else {
    options = { connection, taskQueue, workflowBundle: { codePath }, activities: { noop: async (x: unknown) => x } };
  }
  // Threads named `node` that exist before the worker does are V8's platform threads (GC, compilation) and libuv's;
  // those the worker adds are its workflow threads. The parent tells them apart by this list.
  console.log(`threads-before ${readdirSync('/proc/self/task').join(',')}`);
  const { value: worker } = await withWorkflowStackTraces(false, () => Worker.create(options));
  const running = worker.run();
  console.log('ready');
  // The parent closes stdin to stop the worker; exiting normally lets --cpu-prof write its files.
  process.stdin.resume();
  process.stdin.on('end', () => worker.shutdown());
  await running;
  await connection.close();
  rmSync(dataDir, { recursive: true, force: true });
}

// ---- CPU per thread, from /proc ---------------------------------------------------------

type ThreadGroup = 'main' | 'workflow' | 'core' | 'gc' | 'other';
const GROUPS: ThreadGroup[] = ['main', 'workflow', 'core', 'gc', 'other'];

/** Threads of each worker process that existed before its Worker was created (see workerMain). */
const preexisting = new Map<number, Set<number>>();

function groupOf(pid: number, tid: number, comm: string): ThreadGroup {
  if (tid === pid) return 'main';
  if (/^tokio|^temporal|^workflow-proces/.test(comm)) return 'core';
  if (comm === 'node') return preexisting.get(pid)?.has(tid) ? 'gc' : 'workflow';
  return 'other';
}

/** CPU ms so far of every thread of `pid`, by tid, with its group. */
function threadTimes(pid: number): Map<number, { group: ThreadGroup; comm: string; ms: number }> {
  const out = new Map<number, { group: ThreadGroup; comm: string; ms: number }>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the comm.
      const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
      out.set(Number(t), { group: groupOf(pid, Number(t), comm), comm, ms });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

function cpuDelta(pid: number, before: ReturnType<typeof threadTimes>): Record<ThreadGroup | 'total', number> {
  const after = threadTimes(pid);
  const d: Record<ThreadGroup | 'total', number> = { main: 0, workflow: 0, core: 0, gc: 0, other: 0, total: 0 };
  for (const [tid, t] of after) {
    const ms = t.ms - (before.get(tid)?.ms ?? 0);
    d[t.group] += ms;
    d.total += ms;
  }
  return d;
}

// ---- the parent: server, clients, batches --------------------------------------------------

interface SideHandle {
  name: SideName;
  child: ChildProcess;
  start(shape: ShapeName): Promise<{ result(): Promise<unknown> }>;
}

function spawnWorker(side: SideName, address: string, queue: string, bundle: string, profDir: string | undefined): Promise<ChildProcess> {
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, side)}`] : [];
  if (profDir) mkdirSync(join(profDir, side), { recursive: true });
  const child = spawn(process.execPath, [...prof, ...process.execArgv, __filename, 'worker', '--side', side, '--address', address, '--queue', queue, '--bundle', bundle], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (l) => {
      if (l.startsWith('threads-before ')) preexisting.set(child.pid!, new Set(l.slice('threads-before '.length).split(',').map(Number)));
      else if (l === 'ready') resolve(child);
      else console.log(`[${side} worker] ${l}`);
    });
    child.on('exit', (code) => reject(new Error(`${side} worker exited with ${code} before it was ready`)));
  });
}

/**
 * One bundle per side: Weft's as `weft worker` loads it; with --preload, the
 * same with those modules loaded once per workflow thread instead of once per
 * run (the bundler's `preloadModules`); the hand-written workflows alone.
 * Written to `dir` (the profile folder with --prof, so the summary can map
 * samples to modules).
 */
/** Weft's bundle as it was at a git ref (`--sides weft@HEAD,weft` compares the work tree with the last commit). */
async function refBundle(ref: string, dir: string, file: string): Promise<void> {
  const tree = mkdtempSync(join(dir, 'ref-'));
  execSync(`git -C ${ROOT} archive ${ref} src | tar -x -C ${tree}`);
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(tree, 'src', 'workflows'),
    workflowInterceptorModules: [join(tree, 'src', 'telemetry', 'workflow-interceptors')],
    logger: new DefaultLogger('WARN'),
  });
  await writeFile(file, code);
}

async function sideBundles(sides: string[], dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const quiet = new DefaultLogger('WARN');
  for (const name of sides) {
    // Modifiers (`weft+nocodec`) change the worker, not the bundle.
    const side = name.split('+')[0]!;
    const file = join(dir, `${side}.bundle.js`);
    out.set(name, file);
    if (sides.slice(0, sides.indexOf(name)).some((other) => other.split('+')[0] === side)) continue;
    if (side === 'weft') await writeWorkflowBundle(file);
    else if (side.startsWith('weft@')) await refBundle(side.slice('weft@'.length), dir, file);
    else if (side === 'weft-preload') {
      const preloadModules = flag(args, 'preload', '').split(',').filter(Boolean);
      const { code } = await bundleWorkflowCode({ workflowsPath: defaultWorkflowsPath(), workflowInterceptorModules: workflowInterceptorModules(), preloadModules, logger: quiet });
      await writeFile(file, code);
    } else {
      const { code } = await bundleWorkflowCode({ workflowsPath: join(ROOT, 'bench', 'hand-local.ts'), logger: quiet });
      await writeFile(file, code);
    }
  }
  return out;
}

async function parentMain(): Promise<void> {
  const rounds = numberFlag(args, 'rounds', 3);
  const runs = numberFlag(args, 'runs', 60);
  const shapes = flag(args, 'shapes', 'single,chain,chord').split(',') as ShapeName[];
  const sideNames = flag(args, 'sides', 'weft,hand').split(',');
  const profDir = flag(args, 'prof', '') || undefined;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cli = await requireTemporalCli({ progress: console.log });
  const bench = await startBenchServer(cli.path);
  const scratch = mkdtempSync(join(tmpdir(), 'weft-worker-cost-'));
  const sides: SideHandle[] = [];
  try {
    const bundles = await sideBundles(sideNames, profDir ?? scratch);
    const address = bench.server.address;
    const suffix = `${process.pid}-${Date.now()}`;
    for (const name of sideNames) {
      const queue = `cost-${name}-${suffix}`;
      const child = await spawnWorker(name, address, queue, bundles.get(name)!, profDir);
      if (isWeft(name)) {
        const config = configSchema.parse({ dataDir: scratch, taskQueue: queue, temporal: { address } });
        const weft = await createWeftClient({ config });
        const dags = {
          single: buildDag('cost-single', task('a', 'noop')),
          chain: buildDag('cost-chain', chain(...Array.from({ length: 10 }, (_, i) => task(`n${i}`, 'noop')))),
          chord: buildDag('cost-chord', chord(group(...Array.from({ length: 8 }, (_, i) => task(`p${i}`, 'noop'))), task('callback', 'noop'))),
        };
        sides.push({ name, child, start: async (shape) => weft.temporal.workflow.getHandle((await weft.startRun({ dag: dags[shape], input: null })).id) });
      } else {
        const client = new Client({ connection: await Connection.connect({ address }) });
        const wf = { single: ['handLocalSingle', []], chain: ['handLocalChain', [10]], chord: ['handLocalChord', [8]] } as const;
        let n = 0;
        sides.push({ name, child, start: (shape) => client.workflow.start(wf[shape][0], { taskQueue: queue, workflowId: `cost-hand-${suffix}-${n++}`, args: [...wf[shape][1]] }) });
      }
    }
    const batch = async (side: SideHandle, shape: ShapeName): Promise<Record<ThreadGroup | 'total', number>> => {
      const pid = side.child.pid!;
      const before = threadTimes(pid);
      const handles = await Promise.all(Array.from({ length: runs }, () => side.start(shape)));
      await Promise.all(handles.map((h) => h.result()));
      return cpuDelta(pid, before);
    };
    for (const s of sides) {
      const counts = new Map<string, number>();
      for (const t of threadTimes(s.child.pid!).values()) counts.set(`${t.group}(${t.comm})`, (counts.get(`${t.group}(${t.comm})`) ?? 0) + 1);
      console.log(`${s.name} worker threads: ${[...counts].map(([k, c]) => `${k}×${c}`).join(', ')}`);
    }
    console.log(`worker CPU per run: ${runs} runs per batch, ${rounds} rounds, sides ${sideNames.join(', ')}; load before ${loadLine()}`);
    for (const shape of shapes) {
      for (const s of sides) await batch(s, shape); // warm-up: JIT, caches
      const samples = new Map<SideName, Array<Record<ThreadGroup | 'total', number>>>(sides.map((s) => [s.name, []]));
      const loadBefore = loadLine();
      for (let r = 0; r < rounds; r++) for (const s of rotate(sides, r)) samples.get(s.name)!.push(await batch(s, shape));
      console.log(`\n${shape} (${NODES[shape]} node${NODES[shape] > 1 ? 's' : ''}), load ${loadBefore} → ${loadLine()}`);
      for (const s of sides) {
        const xs = samples.get(s.name)!;
        const perRun = (g: ThreadGroup | 'total'): number => median(xs.map((x) => x[g])) / runs;
        const parts = GROUPS.map((g) => `${g} ${perRun(g).toFixed(2)}`).join(', ');
        console.log(
          `  ${s.name.padEnd(5)} ${perRun('total').toFixed(2)} ms/run, ${(perRun('total') / NODES[shape]).toFixed(2)} ms/node (rounds ${xs.map((x) => (x.total / runs).toFixed(2)).join(', ')}); per run: ${parts}`,
        );
      }
    }
    console.log(`\nload after ${loadLine()}`);
  } finally {
    for (const s of sides) s.child.stdin!.end();
    await Promise.all(sides.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.on('exit', r)))));
    await bench.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  if (profDir) for (const s of sideNames) summarize(join(profDir, s), numberFlag(args, 'top', 30));
}

const mode = args[0] && !args[0].startsWith('--') ? args[0] : 'measure';
const run = mode === 'worker' ? workerMain : mode === 'summarize' ? async () => summarize(args[1]!, numberFlag(args, 'top', 40)) : parentMain;
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
