/**
 * Weft's own processes against the cluster, started the way an operator
 * starts them (`weft worker`, `weft api`), each a separate OS process that a
 * test can SIGKILL and start again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, logTail, pgUrl, recordedPid, REPO_ROOT, spawnRecorded, WEFT_DB, type ClusterInfo } from './cluster';

export const API_TOKEN = 'production-layer-token-0123456789';
const BIN = join(REPO_ROOT, 'bin', 'weft');

export interface WeftSetup {
  taskQueue: string;
  dagsDir: string;
  dataDir: string;
  activityModules?: string[];
  extraEnv?: NodeJS.ProcessEnv;
}

export function weftEnv(info: ClusterInfo, s: WeftSetup): NodeJS.ProcessEnv {
  return {
    TEMPORAL_ADDRESS: info.address,
    TEMPORAL_NAMESPACE: 'default',
    WEFT_TASK_QUEUE: s.taskQueue,
    WEFT_DAGS_DIR: s.dagsDir,
    WEFT_DATA_DIR: s.dataDir,
    WEFT_IDEMPOTENCY_URL: pgUrl(info, WEFT_DB),
    WEFT_API_TOKEN: API_TOKEN,
    WEFT_LOG_FORMAT: 'json',
    WEFT_LOG_LEVEL: 'warn',
    ...(s.activityModules ? { WEFT_ACTIVITY_MODULES: s.activityModules.join(',') } : {}),
    ...s.extraEnv,
  };
}

/** Resolves when the process's log matches `pattern`; fails early, with its log, if it exits first. */
export async function waitForLog(info: ClusterInfo, name: string, pattern: RegExp, timeoutMs = 180_000, from = 0): Promise<void> {
  const file = join(info.runDir, 'logs', `${name}.log`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(file) && pattern.test(readFileSync(file, 'utf8').slice(from))) return;
    const pid = recordedPid(info.runDir, name);
    if (pid === undefined || !alive(pid)) throw new Error(`${name} exited before ${pattern}:\n${logTail(info.runDir, name)}`);
    if (Date.now() > deadline) throw new Error(`${name} did not log ${pattern} within ${timeoutMs} ms:\n${logTail(info.runDir, name)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const logSize = (info: ClusterInfo, name: string): number => {
  const f = join(info.runDir, 'logs', `${name}.log`);
  return existsSync(f) ? readFileSync(f).length : 0;
};

export async function startWorker(info: ClusterInfo, name: string, s: WeftSetup, args: string[] = []): Promise<void> {
  const from = logSize(info, name);
  spawnRecorded(info.runDir, name, process.execPath, [BIN, 'worker', ...args], weftEnv(info, s));
  await waitForLog(info, name, /weft worker: task queue/, 180_000, from);
}

/** Starts `weft api` on `port`; returns its base URL. */
export async function startApi(info: ClusterInfo, name: string, port: number, s: WeftSetup): Promise<string> {
  const from = logSize(info, name);
  spawnRecorded(info.runDir, name, process.execPath, [BIN, 'api', '--host', '127.0.0.1', '--port', String(port)], weftEnv(info, s));
  await waitForLog(info, name, /weft api listening on/, 120_000, from);
  return `http://127.0.0.1:${port}`;
}

/** fetch against a Weft API with the layer's token. */
export async function api<T = unknown>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
