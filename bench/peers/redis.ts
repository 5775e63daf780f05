/**
 * A private redis-server (Debian's) for the peers: loopback, a free port, a
 * temporary folder, and AOF with fsync every second, the setting most
 * BullMQ and Celery deployments that care about their queue use.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from '../../src/temporal/dev-server';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly version: string;
  readonly durability: string;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (buf) => {
      socket.destroy();
      resolve(buf.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(binary = 'redis-server'): Promise<RedisServer> {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error(`${binary} not found: install Debian's redis-server (apt-get install redis-server)`);
  const version = /v=(\S+)/.exec(probe.stdout)?.[1] ?? 'unknown';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    version,
    durability: `Redis ${version}, AOF appendfsync everysec`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
