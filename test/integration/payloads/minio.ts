/**
 * A real S3-compatible server for the S3 blob store's tests: MinIO, built from
 * source with `go install` once into `${XDG_CACHE_HOME:-~/.cache}/weft/`,
 * outside the clone, as the Temporal CLI is. `WEFT_MINIO_PATH` names a binary
 * to use instead. Run this file to obtain it ahead of the tests (CI does):
 *   npx tsx test/integration/payloads/minio.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../../src/temporal/dev-server';

/**
 * MinIO's release tags (RELEASE.2025-…) are not semver, so the Go proxy knows
 * its builds by pseudo-version; this one is what `@latest` resolved to when
 * it was pinned, and it builds with `go install` (no replace directives).
 */
export const MINIO_MODULE = 'github.com/minio/minio';
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

export const MINIO_CREDENTIALS = { accessKeyId: 'weft-test-access', secretAccessKey: 'weft-test-secret-key' };

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'weft', `minio-${MINIO_VERSION}`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The MinIO binary: WEFT_MINIO_PATH, else the cached build, else a build now (several minutes). */
export async function requireMinio(progress: (line: string) => void = () => {}): Promise<string> {
  const given = process.env.WEFT_MINIO_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`WEFT_MINIO_PATH=${given} does not exist`);
    return given;
  }
  const dir = cacheDir();
  const binary = join(dir, 'minio');
  if (existsSync(binary)) return binary;
  // Build into a scratch folder and move it in whole, so an interrupted build never leaves a half binary in the cache.
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(join(dir, 'build-'));
  progress(`building MinIO ${MINIO_VERSION} with go install into ${dir} (once; several minutes)`);
  try {
    const built = await run('go', ['install', `${MINIO_MODULE}@${MINIO_VERSION}`], { ...process.env, GOBIN: scratch }).catch((err: Error) => ({
      code: -1,
      output: err.message,
    }));
    if (built.code !== 0) {
      throw new Error(`could not build MinIO (go install ${MINIO_MODULE}@${MINIO_VERSION} exited ${built.code}); install Go ≥ 1.24 or set WEFT_MINIO_PATH.\n${built.output.slice(-2000)}`);
    }
    renameSync(join(scratch, 'minio'), binary);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

export interface MinioServer {
  endpoint: string;
  /** Makes a bucket; names must be unique per test. */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts MinIO on a free loopback port with its data in a temporary folder. */
export async function startMinio(binary: string): Promise<MinioServer> {
  const [port, consolePort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'weft-minio-'));
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(binary, ['server', dataDir, '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`], {
    env: { ...process.env, MINIO_ROOT_USER: MINIO_CREDENTIALS.accessKeyId, MINIO_ROOT_PASSWORD: MINIO_CREDENTIALS.secretAccessKey, MINIO_BROWSER: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };

  // Readiness by polling MinIO's liveness route: bounded, and it fails with MinIO's own output.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`MinIO exited with ${child.exitCode} before it was ready:\n${output}`);
    const live = await fetch(`${endpoint}/minio/health/live`).then((r) => r.ok).catch(() => false);
    if (live) break;
    if (attempt === 300) {
      await stop();
      throw new Error(`MinIO did not become ready at ${endpoint}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const admin = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: MINIO_CREDENTIALS });
  return {
    endpoint,
    createBucket: async (name) => void (await admin.send(new CreateBucketCommand({ Bucket: name }))),
    stop: async () => {
      admin.destroy();
      await stop();
    },
  };
}

if (require.main === module) {
  requireMinio((line) => console.log(`[weft] ${line}`)).then(
    (path) => console.log(path),
    (err: Error) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
