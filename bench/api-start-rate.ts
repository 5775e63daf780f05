/**
 * `npm run bench -- api-start-rate`: starts through the HTTP API at fixed
 * arrival rates, as a user's clients would send them, against `weft dev`
 * (embedded Temporal with its SQLite file, a worker and the API in one
 * process, spawned through bin/weft like a user runs it).
 *
 * Open loop: request i is sent at t0 + i/rate whether or not earlier ones
 * were answered, each with its own Idempotency-Key, and its latency counts
 * from when it was due, so a stalled server shows as latency, not as a lower
 * rate. The runs execute (one no-op node each), so the worker's load is in
 * the figure too.
 *
 * 1. Step search: rates from --rates, --step-seconds each, until a step does
 *    not keep up (fewer than 99% of its starts accepted, or p99 ≥ 500 ms).
 *    The sustainable rate is the last step that kept up.
 * 2. That rate (1×) and twice it (2×), --seconds each.
 * After every step the runs drain before the next one starts.
 *
 * With --without-admission, the same 1× and 2× run again on a second
 * `weft dev` whose start bounds are set out of reach: the API as it was
 * before admission control.
 *
 * Flags: --rates 2,5,10,15,20,30,40,60,80  --step-seconds 10  --seconds 20  --without-admission
 *        --rate N: skip the search and take N as the sustainable rate.
 * The API's bounds come from the environment as for `weft dev` itself
 * (WEFT_API_MAX_STARTS_IN_FLIGHT, WEFT_API_MAX_STARTS_QUEUED, WEFT_API_START_QUEUE_WAIT_MS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/temporal/dev-server';
import { flag, loadLine, numberFlag } from './stats';

const ROOT = join(__dirname, '..');
const DAG = 'bench-start';
const P99_BOUND_MS = 500;

interface Answer {
  status: number;
  ms: number;
  contract: boolean;
  code?: string;
  mayExist?: boolean;
}

interface WeftDev {
  url: string;
  stop(): Promise<void>;
}

/** `weft dev` in a scratch folder, with one no-op DAG and no schedules; resolves when it says it is ready. */
async function startWeftDev(extraEnv: Record<string, string>): Promise<WeftDev> {
  const scratch = mkdtempSync(join(tmpdir(), 'weft-bench-rate-'));
  writeFileSync(join(scratch, `${DAG}.yaml`), `name: ${DAG}\nnodes:\n  - id: a\n    activity: noop\n`);
  const [temporalPort, apiPort] = [await freePort(), await freePort()];
  const args = [join(ROOT, 'bin', 'weft'), 'dev', '--no-ui', '--data-dir', join(scratch, 'data'), '--temporal-port', String(temporalPort), '--api-port', String(apiPort), '--log-format', 'json'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: scratch,
    env: { ...process.env, WEFT_DAGS_DIR: scratch, WEFT_LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('weft dev is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`weft dev exited with ${code} before it was ready:\n${out}`)));
  });
  return {
    url: `http://127.0.0.1:${apiPort}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** What a refused start must say: 503, Retry-After, retryable, whether the run may exist, and the key to retry with. */
function keepsContract(status: number, retryAfter: string | null, body: unknown, key: string): boolean {
  if (status === 202) return true;
  const e = (body as { error?: { retryable?: unknown; mayExist?: unknown; id?: unknown; message?: unknown } }).error;
  return status === 503 && /^\d+$/.test(retryAfter ?? '') && e?.retryable === true && typeof e.mayExist === 'boolean' && e.id === key && /same (id \()?Idempotency-Key/.test(String(e.message));
}

async function post(url: string, key: string, due: number): Promise<Answer> {
  try {
    const res = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ dag: DAG, input: {} }),
      signal: AbortSignal.timeout(120_000),
    });
    const body = (await res.json()) as { error?: { code?: string; mayExist?: boolean } };
    const ms = performance.now() - due;
    return { status: res.status, ms, contract: keepsContract(res.status, res.headers.get('retry-after'), body, key), ...(body.error ? { code: body.error.code, mayExist: body.error.mayExist } : {}) };
  } catch {
    return { status: -1, ms: performance.now() - due, contract: false };
  }
}

/** Sends `rate` starts per second for `seconds`, open loop, and waits for every answer. */
async function fire(url: string, rate: number, seconds: number, tag: string): Promise<Answer[]> {
  const n = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const pending: Promise<Answer>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; ) {
    const now = performance.now();
    // Everything due by now goes out now; a late timer does not lower the rate.
    for (; i < n && t0 + i * interval <= now; i++) pending.push(post(url, `${tag}-${i}`, t0 + i * interval));
    if (i < n) await new Promise((r) => setTimeout(r, Math.max(0, t0 + i * interval - performance.now())));
  }
  return Promise.all(pending);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

interface Summary {
  rate: number;
  sent: number;
  accepted: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  contract: boolean;
  keptUp: boolean;
}

function summarize(rate: number, answers: readonly Answer[]): Summary {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const a of answers) {
    const name = a.status === 202 ? '202' : `${a.status}${a.code ? ` ${a.code}` : ''}${a.mayExist === undefined ? '' : ` mayExist=${a.mayExist}`}`;
    statuses[name] = (statuses[name] ?? 0) + 1;
  }
  const accepted = answers.filter((a) => a.status === 202).length;
  const p99 = quantile(ms, 0.99);
  return {
    rate,
    sent: answers.length,
    accepted,
    p50: quantile(ms, 0.5),
    p95: quantile(ms, 0.95),
    p99,
    statuses,
    contract: answers.every((a) => a.contract),
    keptUp: accepted >= 0.99 * answers.length && p99 < P99_BOUND_MS,
  };
}

function line(label: string, s: Summary): string {
  const hist = Object.entries(s.statuses)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `  ${label.padEnd(14)} ${String(s.rate).padStart(4)}/s  sent ${String(s.sent).padStart(5)}  accepted ${String(s.accepted).padStart(5)}  p50 ${s.p50.toFixed(0).padStart(5)}  p95 ${s.p95.toFixed(0).padStart(5)}  p99 ${s.p99.toFixed(0).padStart(6)} ms  refusals keep the retry contract: ${s.contract ? 'yes' : 'NO'}  [${hist}]  (load ${loadLine()})`;
}

/** Waits until no run is open, so the next step starts on an idle server (bounded: a backlog is the step's finding). */
async function drain(url: string, maxMs = 120_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/v1/runs?status=running&limit=1`).catch(() => undefined);
    if (res?.ok && ((await res.json()) as { runs: unknown[] }).runs.length === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`  (runs still open after ${maxMs / 1000} s; going on)`);
}

async function oneAndTwice(dev: WeftDev, rate: number, seconds: number, tag: string): Promise<void> {
  for (const [label, r] of [[`${tag} 1×`, rate], [`${tag} 2×`, rate * 2]] as const) {
    console.log(line(label, summarize(r, await fire(dev.url, r, seconds, `${tag.replace(/\W/g, '')}-${r}-${Date.now()}`))));
    await drain(dev.url);
  }
}

export async function runApiStartRate(args: string[]): Promise<void> {
  const rates = flag(args, 'rates', '2,5,10,15,20,30,40,60,80').split(',').map(Number);
  const stepSeconds = numberFlag(args, 'step-seconds', 10);
  const seconds = numberFlag(args, 'seconds', 20);
  console.log(`api-start-rate: weft dev through bin/weft; node ${process.version}; load before ${loadLine()}`);

  const dev = await startWeftDev({});
  let sustainable = args.includes('--rate') ? numberFlag(args, 'rate', 10) : 0;
  try {
    // A few starts first: the worker's first workflow task and the API's first compile are not what is measured.
    await fire(dev.url, 5, 2, `warmup-${Date.now()}`);
    await drain(dev.url);
    if (!sustainable) console.log(`\nstep search (${stepSeconds} s per step; keeps up = ≥ 99% accepted and p99 < ${P99_BOUND_MS} ms):`);
    for (const rate of sustainable ? [] : rates) {
      const s = summarize(rate, await fire(dev.url, rate, stepSeconds, `step-${rate}-${Date.now()}`));
      console.log(line(s.keptUp ? 'kept up' : 'did not', s));
      await drain(dev.url);
      if (!s.keptUp) break;
      sustainable = rate;
    }
    if (sustainable === 0) throw new Error(`not even ${rates[0]} starts/s kept up; lower --rates`);
    const bounds = ['WEFT_API_MAX_STARTS_IN_FLIGHT', 'WEFT_API_MAX_STARTS_QUEUED', 'WEFT_API_START_QUEUE_WAIT_MS'].filter((v) => process.env[v]).map((v) => `${v}=${process.env[v]}`);
    console.log(`\nsustainable: ${sustainable} starts/s; ${seconds} s at 1× and at 2×, admission bounds ${bounds.length ? bounds.join(' ') : 'default'}:`);
    await oneAndTwice(dev, sustainable, seconds, 'admission');
  } finally {
    await dev.stop();
  }

  if (args.includes('--without-admission')) {
    const unbounded = { WEFT_API_MAX_STARTS_IN_FLIGHT: '1000000', WEFT_API_MAX_STARTS_QUEUED: '0' };
    const before = await startWeftDev(unbounded);
    try {
      await fire(before.url, 5, 2, `warmup-${Date.now()}`);
      await drain(before.url);
      console.log(`\nthe same without admission control (maxInFlight 1,000,000):`);
      await oneAndTwice(before, sustainable, seconds, 'no admission');
    } finally {
      await before.stop();
    }
  }
  console.log(`\nload after ${loadLine()}`);
}

if (require.main === module) {
  runApiStartRate(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
