/**
 * Celery from PyPI in a venv cached outside the clone, with the Redis broker
 * and result backend, a worker of 50 threads, and a driver process that
 * submits jobs through Celery's own client (canvas chain and chord).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cacheRoot } from '../../src/temporal/servers';
import type { PeerSystem, Shape } from './shapes';
import type { RedisServer } from './redis';

const VENV = join(cacheRoot(), 'bench-venv');
const python = join(VENV, 'bin', 'python');

/** Creates the venv and installs celery[redis] once; later runs only check the import. */
export function ensureCeleryVenv(log: (line: string) => void): string {
  const check = (): string | undefined => {
    if (!existsSync(python)) return undefined;
    const r = spawnSync(python, ['-c', 'import celery, redis; print(celery.__version__)'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const ready = check();
  if (ready) return ready;
  log(`creating ${VENV} with celery[redis] from PyPI`);
  const pythonCmd = ['python3.11', 'python3'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!pythonCmd) throw new Error('no python3 found for the Celery venv');
  const steps: Array<[string, string[]]> = [
    [pythonCmd, ['-m', 'venv', VENV]],
    [join(VENV, 'bin', 'pip'), ['install', '--quiet', 'celery[redis]']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with code ${r.status}`);
  }
  const version = check();
  if (!version) throw new Error(`celery is not importable from ${VENV}`);
  return version;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return exited.finally(() => clearTimeout(timer));
}

export async function startCelery(redis: RedisServer, nodesPerRound: number, log: (line: string) => void): Promise<PeerSystem> {
  const version = ensureCeleryVenv(log);
  // Celery warns at length when a worker runs as root, as it does in CI containers; the warning is not a result.
  const env = { ...process.env, WEFT_BENCH_REDIS: redis.url, PYTHONPATH: __dirname, PYTHONWARNINGS: 'ignore' };
  const worker = spawn(
    join(VENV, 'bin', 'celery'),
    ['-A', 'celery_bench', 'worker', '--pool', 'threads', '--concurrency', '50', '--loglevel', 'WARNING', '--without-gossip', '--without-mingle', '--without-heartbeat'],
    { cwd: __dirname, env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const driver = spawn(python, [join(__dirname, 'celery_bench.py')], { cwd: __dirname, env, stdio: ['pipe', 'pipe', 'inherit'] });
  const killOnExit = (): void => {
    worker.kill('SIGKILL');
    driver.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const lines = createInterface({ input: driver.stdout })[Symbol.asyncIterator]();
  const ask = async (shape: string, jobs: number): Promise<number> => {
    driver.stdin.write(`${shape} ${jobs}\n`);
    const next = await lines.next();
    if (next.done) throw new Error('the Celery driver exited');
    return (JSON.parse(next.value) as { ms: number }).ms;
  };
  // The first round waits for the worker to connect; it is a warm-up, not a figure.
  await ask('single', 1);
  return {
    name: 'Celery',
    durability: `${redis.durability}; Celery ${version}, threads pool ×50, acks on receipt (default)`,
    nodesPerRound,
    run: (shape: Shape, jobs: number) => ask(shape.name, jobs),
    async close() {
      driver.stdin.end();
      await Promise.all([stopChild(driver), stopChild(worker)]);
      process.removeListener('exit', killOnExit);
    },
  };
}
