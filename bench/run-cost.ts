/**
 * `npm run bench -- run-cost`: what one workflow run costs, in CPU, split by
 * process: the Temporal dev server (as `weft dev` starts it: SQLite file,
 * WAL, Weft's dynamic config) and this Node process (client and workers).
 *
 * Variants (--variants, default all):
 *   empty        hand-written workflow that runs no activity: start, one
 *                workflow task, complete (the floor of this design)
 *   local        hand-written workflow with one local activity
 *   weft-single  Weft, a DAG of one no-op node, defaults (WeftClient.startRun)
 *   weft-chain   Weft, chain of 10
 *   weft-chord   Weft, chord of 8 + 1
 * each through three clients (--clients, default all):
 *   grpc         a @temporalio/client Connection of its own (what the peers bench and `weft api` use)
 *   native       a Client on the worker's NativeConnection, no eager start
 *   eager        the same, with eager workflow start
 *
 * A batch starts --runs runs (default 100), at most --concurrency at a time
 * (default: all at once), and waits for all; CPU is utime+stime from
 * /proc/PID/stat before and after, and the server's persistence requests per
 * run come from its Prometheus /metrics (by operation, visibility apart). Every round runs every
 * variant once, in a rotated order; the table gives medians of --rounds
 * (default 3). --dynamic-config k=v,k=v adds server dynamic config;
 * --events prints one run's history by event type per variant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { buildDag, chain, chord, group, task } from '../src/dag/builder';
import type { CompiledDag } from '../src/dag/types';
import { createWeftClient, type WeftClient } from '../src/client';
import { requireTemporalCli } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { withWorkflowStackTraces } from '../src/workers/stack-traces';
import { telemetrySinks } from '../src/telemetry/worker';
import { freePort, WEFT_DEV_SQLITE_PRAGMAS } from '../src/temporal/dev-server';
import { flag, loadLine, median, numberFlag, processCpuMs, rotate } from './stats';
import { startBenchServer, startWeftBenchWorker } from './peers/temporal';

const VARIANTS = ['empty', 'local', 'weft-single', 'weft-chain', 'weft-chord'] as const;
const CLIENTS = ['grpc', 'native', 'eager'] as const;
type VariantName = (typeof VARIANTS)[number];
type ClientName = (typeof CLIENTS)[number];

interface Starter {
  /** Starts one run; resolves with whether it started eagerly and a way to wait for it. */
  start(): Promise<{ eager: boolean; workflowId: string; result(): Promise<unknown> }>;
  client: Client;
}

interface Sample {
  runsPerSec: number;
  serverMs: number;
  nodeMs: number;
  eager: number;
  /** Persistence requests per run, by operation (`visibility:` prefix for visibility writes). */
  persistence: Map<string, number>;
}

/** Sums the server's persistence request counters by operation, over every other label. */
async function persistenceCounts(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(visibility_)?persistence_requests(?:_total)?\{(.*)\} ([0-9.e+]+)$/.exec(line);
    const op = m ? /operation="([^"]+)"/.exec(m[2]!)?.[1] : undefined;
    if (!m || !op) continue;
    const key = `${m[1] ? 'visibility:' : ''}${op}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[3]));
  }
  return out;
}

const NODES: Record<VariantName, number> = { empty: 0, local: 1, 'weft-single': 1, 'weft-chain': 10, 'weft-chord': 9 };

const DAGS: Partial<Record<VariantName, () => CompiledDag>> = {
  'weft-single': () => buildDag('cost-single', task('a', 'noop')),
  'weft-chain': () => buildDag('cost-chain', chain(...Array.from({ length: 10 }, (_, i) => task(`n${i}`, 'noop')))),
  'weft-chord': () => buildDag('cost-chord', chord(group(...Array.from({ length: 8 }, (_, i) => task(`p${i}`, 'noop'))), task('callback', 'noop'))),
};

let seq = 0;
const uniqueId = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${seq++}`;

function handStarter(client: Client, taskQueue: string, type: string, eager: boolean): Starter {
  return {
    client,
    async start() {
      const h = await client.workflow.start(type, { taskQueue, workflowId: uniqueId(type), args: [], ...(eager ? { requestEagerStart: true } : {}) });
      return { eager: h.eagerlyStarted, workflowId: h.workflowId, result: () => h.result() };
    },
  };
}

function weftStarter(weft: WeftClient, dag: CompiledDag): Starter {
  return {
    client: weft.temporal,
    async start() {
      const s = await weft.startRunDetails({ dag, input: null });
      const h = weft.temporal.workflow.getHandle(s.id);
      return { eager: s.eagerlyStarted, workflowId: s.id, result: () => h.result() };
    },
  };
}

async function batch(starter: Starter, runs: number, concurrency: number, serverPid: number, metricsUrl: string): Promise<Sample> {
  const persisted0 = await persistenceCounts(metricsUrl);
  const server0 = processCpuMs(serverPid);
  const node0 = processCpuMs('self');
  const t0 = performance.now();
  let next = 0;
  let eager = 0;
  // `concurrency` lanes, each starting a run and waiting for it before the next: at most that many in flight.
  const lane = async (): Promise<void> => {
    for (; next < runs; ) {
      next++;
      const s = await starter.start();
      if (s.eager) eager++;
      await s.result();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
  const ms = performance.now() - t0;
  const sample = {
    runsPerSec: (runs * 1000) / ms,
    serverMs: (processCpuMs(serverPid) - server0) / runs,
    nodeMs: (processCpuMs('self') - node0) / runs,
    eager: eager / runs,
    persistence: new Map<string, number>(),
  };
  // The server's Prometheus counters lag the calls by up to a reporting interval: wait until every start is counted.
  let persisted = await persistenceCounts(metricsUrl);
  for (let i = 0; i < 20 && (persisted.get('CreateWorkflowExecution') ?? 0) - (persisted0.get('CreateWorkflowExecution') ?? 0) < runs; i++) {
    await new Promise((r) => setTimeout(r, 250));
    persisted = await persistenceCounts(metricsUrl);
  }
  for (const [op, n] of persisted) {
    const d = (n - (persisted0.get(op) ?? 0)) / runs;
    if (d > 0) sample.persistence.set(op, d);
  }
  return sample;
}

/** One run's history, counted by event type, for the "what the server writes" table. */
async function historyCounts(starter: Starter): Promise<string> {
  const s = await starter.start();
  await s.result();
  const history = await starter.client.workflow.getHandle(s.workflowId).fetchHistory();
  const counts = new Map<string, number>();
  const upserted: string[] = [];
  for (const e of history.events ?? []) {
    const name = (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (fields) upserted.push(Object.keys(fields).join('+'));
    const marker = e.markerRecordedEventAttributes?.markerName;
    if (marker) upserted.push(`marker ${marker}`);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  // Each upsert is a visibility write on the server besides the history event; the start and the close are one each.
  return `${total} events: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}${upserted.length ? ` [${upserted.join(', ')}]` : ''}`;
}

function parseDynamicConfig(spec: string): Record<string, string | number | boolean> {
  if (!spec) return {};
  return Object.fromEntries(
    spec.split(',').map((kv) => {
      const [k, v] = kv.split('=');
      if (!k || v === undefined) throw new RangeError(`--dynamic-config: expected key=value, got "${kv}"`);
      return [k, v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v];
    }),
  );
}

export async function runRunCost(args: string[]): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const runs = numberFlag(args, 'runs', 100);
  const concurrency = numberFlag(args, 'concurrency', runs);
  const rounds = numberFlag(args, 'rounds', 3);
  const variants = flag(args, 'variants', VARIANTS.join(',')).split(',') as VariantName[];
  const clients = flag(args, 'clients', CLIENTS.join(',')).split(',') as ClientName[];
  for (const v of variants) if (!VARIANTS.includes(v)) throw new RangeError(`--variants: unknown variant "${v}" (known: ${VARIANTS.join(', ')})`);
  for (const c of clients) if (!CLIENTS.includes(c)) throw new RangeError(`--clients: unknown client "${c}" (known: ${CLIENTS.join(', ')})`);
  const dynamicConfig = parseDynamicConfig(flag(args, 'dynamic-config', ''));
  const cli = await requireTemporalCli({ progress: console.log });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-run-cost-'));
  const bench = await startBenchServer(cli.path, WEFT_DEV_SQLITE_PRAGMAS, { dynamicConfig, metricsPort: await freePort() });
  const metricsUrl = bench.server.metricsUrl!;
  const closers: Array<() => Promise<void>> = [];
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), require.resolve('./workflows'));
    // Hand-written side: a plain SDK worker, stack capture off as in Weft's worker, so the two differ only in what runs.
    const handQueue = uniqueId('cost-hand');
    const handNative = await NativeConnection.connect({ address: bench.server.address });
    const { value: handWorker } = await withWorkflowStackTraces(false, () =>
      Worker.create({ connection: handNative, taskQueue: handQueue, workflowBundle: { codePath }, sinks: telemetrySinks(), activities: { noop: async (x: unknown) => x } }),
    );
    const handRunning = handWorker.run();
    closers.push(async () => {
      handWorker.shutdown();
      await handRunning;
      await handNative.close();
    });
    const weftWorker = await startWeftBenchWorker(bench, codePath, uniqueId('cost-weft'));
    closers.push(() => weftWorker.stop());
    const grpc = await Connection.connect({ address: bench.server.address });
    const handClients: Record<ClientName, Client> = { grpc: new Client({ connection: grpc }), native: new Client({ connection: handNative }), eager: new Client({ connection: handNative }) };
    const weftClients: Record<ClientName, WeftClient> = {
      grpc: await createWeftClient({ config: weftWorker.config }),
      native: await createWeftClient({ config: weftWorker.config, connection: weftWorker.connection }),
      eager: await createWeftClient({ config: weftWorker.config, connection: weftWorker.connection, client: { eagerStart: true } }),
    };
    const starter = (v: VariantName, c: ClientName): Starter => {
      if (v === 'empty') return handStarter(handClients[c], handQueue, 'handEmpty', c === 'eager');
      if (v === 'local') return handStarter(handClients[c], handQueue, 'handLocal', c === 'eager');
      return weftStarter(weftClients[c], DAGS[v]!());
    };
    const cases = variants.flatMap((v) => clients.map((c) => ({ v, c, label: `${v} / ${c}`, starter: starter(v, c) })));
    console.log(`run-cost: dev server ${bench.server.version} (pid ${bench.server.pid}, ${bench.durability}${Object.keys(dynamicConfig).length ? `, dynamic config ${JSON.stringify(dynamicConfig)}` : ''}); node ${process.version}; ${cpus().length} cores; ${runs} runs per batch, ${concurrency} at a time, ${rounds} rounds; load before ${loadLine()}`);
    // Warm-up, not counted: JITs, connections and the sticky cache settle on every side.
    for (const k of cases) await batch(k.starter, Math.max(5, Math.round(runs / 4)), concurrency, bench.server.pid, metricsUrl);
    if (args.includes('--events')) {
      console.log('\nhistory of one run per variant (client grpc, then eager):');
      for (const k of cases.filter((x) => x.c === 'grpc' || x.c === 'eager')) console.log(`  ${k.label.padEnd(22)} ${await historyCounts(k.starter)}`);
    }
    const samples = new Map<string, Sample[]>();
    for (let r = 0; r < rounds; r++) {
      for (const k of rotate(cases, r * 3)) {
        const s = await batch(k.starter, runs, concurrency, bench.server.pid, metricsUrl);
        samples.set(k.label, [...(samples.get(k.label) ?? []), s]);
        console.log(`  round ${r + 1} ${k.label.padEnd(22)} ${s.runsPerSec.toFixed(1).padStart(6)} runs/s  server ${s.serverMs.toFixed(2)} ms/run  node ${s.nodeMs.toFixed(2)} ms/run  eager ${(s.eager * 100).toFixed(0)}%  (load ${loadLine()})`);
      }
    }
    const cores = cpus().length;
    console.log(`\nrun-cost: medians of ${rounds} rounds, ${runs} runs per batch (load before … after: ${loadLine()})`);
    console.log('| variant / client | runs/s | server CPU ms/run | Node CPU ms/run | total CPU ms/run | CPU-bound ceiling, runs/s on this machine | nodes/s at that ceiling | eager |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const k of cases) {
      const ss = samples.get(k.label) ?? [];
      const m = (f: (s: Sample) => number): number => median(ss.map(f));
      const total = m((s) => s.serverMs + s.nodeMs);
      const ceiling = (cores * 1000) / total;
      console.log(`| ${k.label} | ${m((s) => s.runsPerSec).toFixed(1)} | ${m((s) => s.serverMs).toFixed(2)} | ${m((s) => s.nodeMs).toFixed(2)} | ${total.toFixed(2)} | ${ceiling.toFixed(0)} | ${NODES[k.v] ? (ceiling * NODES[k.v]).toFixed(0) : '–'} | ${(m((s) => s.eager) * 100).toFixed(0)}% |`);
    }
    console.log('\npersistence requests per run (median of rounds; visibility: writes to the visibility store), operations over 0.05 per run:');
    console.log('| variant / client | total | visibility | by operation |');
    console.log('|---|---|---|---|');
    for (const k of cases) {
      const ss = samples.get(k.label) ?? [];
      const ops = [...new Set(ss.flatMap((s) => [...s.persistence.keys()]))];
      const per = new Map(ops.map((op) => [op, median(ss.map((s) => s.persistence.get(op) ?? 0))] as const));
      const sum = (f: (op: string) => boolean): number => [...per].filter(([op]) => f(op)).reduce((a, [, n]) => a + n, 0);
      const shown = [...per].filter(([, n]) => n >= 0.05).sort((a, b) => b[1] - a[1]);
      console.log(`| ${k.label} | ${sum(() => true).toFixed(1)} | ${sum((op) => op.startsWith('visibility:')).toFixed(1)} | ${shown.map(([op, n]) => `${op} ${n.toFixed(2)}`).join(', ')} |`);
    }
  } finally {
    for (const close of closers.reverse()) await close().catch((err: unknown) => console.error('teardown:', err));
    await bench.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
