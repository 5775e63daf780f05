/**
 * `npm run bench -- peers`: nodes per second for three job shapes on BullMQ,
 * Celery, a hand-written Temporal workflow and Weft, side by side in one run.
 *
 *   peers             all four systems, the dev server as `weft dev` starts it
 *   peers-devserver   hand-written and Weft on three dev servers at once:
 *                     SQLite defaults, WAL + synchronous=full, WAL + normal
 *                     (--configs defaults,wal+full,wal+normal picks some)
 *   peers-worker      Weft with worker tuning variants, on one dev server
 *
 * Flags: --rounds N (default 3), --nodes-queue N (nodes per round for BullMQ
 * and Celery, default 1000), --nodes-temporal N (default 120), --systems a,b
 * (peers only: bullmq, celery, hand, weft, weft-eager, weft-jobs; weft-eager is
 * Weft with its client on the worker's connection and eager start, as in
 * `weft dev`), --nodes-jobs N (nodes per round for the job queue, default
 * 1000), --jobs-variants 4x100,8x50,4x100x1 (job queue shards × jobs per wave
 * [× jobs per batch activity], one system each; default: the client's
 * defaults), --shapes single,chain,chord,
 * --round-timeout S (default 90; a round that takes longer is reported as
 * stalled and left out of the median).
 * Each round runs every system once per shape, starting with a different
 * system each time; the figure is the median of the rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { requireTemporalCli } from '../../src/temporal/servers';
import { writeWorkflowBundle } from '../../src/workers/bundle';
import { flag, loadLine, median, numberFlag, rotate } from '../stats';
import { startBullmq } from './bullmq';
import { startCelery } from './celery';
import { startJobsSystem } from './jobs';
import { startRedis, type RedisServer } from './redis';
import { jobsFor, SHAPES, type PeerSystem, type Shape } from './shapes';
import { startBenchServer, startHandSystem, startWeftSystem, type BenchServer } from './temporal';
import { workerVariants } from './variants';

type Mode = 'peers' | 'peers-devserver' | 'peers-worker';

interface Resources {
  systems: PeerSystem[];
  servers: BenchServer[];
  redis?: RedisServer;
}

async function setUp(mode: Mode, args: string[], codePath: string, cliPath: string): Promise<Resources> {
  const res: Resources = { systems: [], servers: [] };
  const nodesTemporal = numberFlag(args, 'nodes-temporal', 120);
  const log = (line: string): void => console.log(`  ${line}`);
  if (mode === 'peers') {
    const wanted = flag(args, 'systems', 'bullmq,celery,hand,weft,weft-jobs').split(',');
    const nodesQueue = numberFlag(args, 'nodes-queue', 1000);
    if (wanted.includes('bullmq') || wanted.includes('celery')) res.redis = await startRedis();
    if (wanted.includes('bullmq')) res.systems.push(await startBullmq(res.redis!, nodesQueue));
    if (wanted.includes('celery')) res.systems.push(await startCelery(res.redis!, nodesQueue, log));
    if (wanted.includes('hand') || wanted.includes('weft') || wanted.includes('weft-eager') || wanted.includes('weft-jobs')) {
      const server = await startBenchServer(cliPath);
      res.servers.push(server);
      if (wanted.includes('hand')) res.systems.push(await startHandSystem(server, codePath, { nodesPerRound: nodesTemporal }));
      if (wanted.includes('weft')) res.systems.push(await startWeftSystem(server, codePath, { nodesPerRound: nodesTemporal }));
      if (wanted.includes('weft-eager')) res.systems.push(await startWeftSystem(server, codePath, { name: 'Weft, eager start', nodesPerRound: nodesTemporal, eager: true }));
      if (wanted.includes('weft-jobs')) {
        // --jobs-variants 4x100,8x50,4x100x1: shards × concurrency per wave [× batch size]; the default is the client's defaults.
        for (const v of flag(args, 'jobs-variants', 'default').split(',')) {
          const [shards, concurrency, batchSize] = v.split('x').map(Number);
          const jobs = v === 'default' ? {} : { shards: shards!, concurrency: concurrency!, ...(batchSize !== undefined ? { batchSize } : {}) };
          res.systems.push(await startJobsSystem(server, codePath, { name: v === 'default' ? 'Weft job queue' : `Weft job queue ${v}`, jobs, nodesPerRound: numberFlag(args, 'nodes-jobs', 1000) }));
        }
      }
    }
  } else if (mode === 'peers-devserver') {
    const configs: Array<[string, Record<string, string>]> = [
      ['defaults', {}],
      ['wal+full', { journal_mode: 'wal', synchronous: 'full' }],
      ['wal+normal', { journal_mode: 'wal', synchronous: 'normal' }],
    ];
    const only = flag(args, 'configs', configs.map(([l]) => l).join(',')).split(',');
    for (const [label, pragmas] of configs.filter(([l]) => only.includes(l))) {
      const server = await startBenchServer(cliPath, pragmas);
      res.servers.push(server);
      res.systems.push(await startHandSystem(server, codePath, { name: `hand-written, ${label}`, nodesPerRound: nodesTemporal }));
      res.systems.push(await startWeftSystem(server, codePath, { name: `Weft, ${label}`, nodesPerRound: nodesTemporal }));
    }
  } else {
    const server = await startBenchServer(cliPath);
    res.servers.push(server);
    for (const v of workerVariants()) res.systems.push(await startWeftSystem(server, codePath, { name: `Weft, ${v.name}`, knobs: v.knobs, nodesPerRound: nodesTemporal }));
  }
  return res;
}

async function tearDown(res: Resources): Promise<void> {
  for (const s of res.systems) await s.close();
  for (const s of res.servers) await s.stop();
  await res.redis?.stop();
}

/** Resolves with the round's milliseconds, or NaN when it takes longer than `limitMs`; the system's jobs are left to finish. */
async function bounded(run: Promise<number>, limitMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Number.NaN), limitMs)));
  // The jobs of a round that timed out may still fail later (at teardown); that is no longer this round's answer.
  run.catch(() => undefined);
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function measure(systems: PeerSystem[], shapes: Shape[], rounds: number, limitMs: number): Promise<Map<string, number[]>> {
  const rates = new Map<string, number[]>();
  const key = (s: PeerSystem, shape: Shape): string => `${s.name}\0${shape.name}`;
  // Warm-up, not counted: connections, caches and JITs settle on every side.
  const runs = (s: PeerSystem, shape: Shape): boolean => !s.shapes || s.shapes.includes(shape.name);
  for (const shape of shapes) for (const s of systems.filter((x) => runs(x, shape))) await bounded(s.run(shape, jobsFor(shape, s.nodesPerRound / 4)), limitMs);
  for (let r = 0; r < rounds; r++) {
    for (const [i, shape] of shapes.entries()) {
      // A different system goes first in every round and shape, so drift in the load falls on all.
      for (const s of rotate(systems, r + i).filter((x) => runs(x, shape))) {
        const jobs = jobsFor(shape, s.nodesPerRound);
        const ms = await bounded(s.run(shape, jobs), limitMs);
        const rate = (jobs * shape.nodesPerJob * 1000) / ms;
        // A round that did not finish is kept as NaN: reported as stalled, left out of the median.
        rates.set(key(s, shape), [...(rates.get(key(s, shape)) ?? []), rate]);
        const figure = Number.isNaN(rate) ? `did not finish in ${limitMs / 1000} s` : `${rate.toFixed(1).padStart(8)} nodes/s`;
        console.log(`  round ${r + 1} ${shape.name.padEnd(6)} ${s.name.padEnd(28)} ${figure}  (${jobs} jobs, load ${loadLine()})`);
      }
    }
  }
  return rates;
}

export async function runPeers(mode: Mode, args: string[]): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const rounds = numberFlag(args, 'rounds', 3);
  const shapeNames = flag(args, 'shapes', 'single,chain,chord').split(',');
  const shapes = SHAPES.filter((s) => shapeNames.includes(s.name));
  const cli = await requireTemporalCli({ progress: console.log });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-peers-'));
  const loadBefore = loadLine();
  let res: Resources | undefined;
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('../workflows'));
    res = await setUp(mode, args, codePath, cli.path);
    console.log(`${mode}: ${rounds} rounds, node ${process.version}, load before ${loadBefore}`);
    const rates = await measure(res.systems, shapes, rounds, numberFlag(args, 'round-timeout', 90) * 1000);
    console.log(`\n${mode}: median nodes/s over ${rounds} rounds (load before ${loadBefore}, after ${loadLine()})`);
    console.log(`| system | ${shapes.map((s) => s.label).join(' | ')} | durability |`);
    console.log(`|---|${shapes.map(() => '---|').join('')}---|`);
    for (const s of res.systems) {
      const cells = shapes.map((shape) => {
        const all = rates.get(`${s.name}\0${shape.name}`) ?? [];
        const finished = all.filter((r) => !Number.isNaN(r));
        const stalled = all.length - finished.length;
        return `${finished.length ? median(finished).toFixed(1) : '–'}${stalled ? ` (${stalled}/${all.length} rounds stalled)` : ''}`;
      });
      console.log(`| ${s.name} | ${cells.join(' | ')} | ${s.durability} |`);
    }
  } finally {
    if (res) await tearDown(res);
    rmSync(scratch, { recursive: true, force: true });
  }
}
