/**
 * The HTTP API on a real port, over a WeftClient on the shared dev server,
 * with a real worker on the test's own task queue. Each test builds its own
 * API (`apiFor`) and talks to it with fetch; everything stops when the test
 * finishes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { buildApi, type BuildApiOptions } from '../../../src/api/app';
import { WeftClient } from '../../../src/client/weft-client';
import { dagWorker, type ActivityFn, type DagWorker } from '../../helpers/dag';

export const TOKEN = 'test-token-0123456789abcdef';

export interface Api {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  url: string;
  weft: WeftClient;
  worker: DagWorker;
  dagsDir: string;
  /** fetch with the bearer token (unless `token` says otherwise) and a JSON body from `json`. */
  call(method: string, path: string, o?: { json?: unknown; body?: string; token?: string | null; headers?: Record<string, string> }): Promise<Response>;
}

export interface ApiForOptions extends Partial<Omit<BuildApiOptions, 'weft'>> {
  /** Definition files for the DAGs folder, by file name. */
  dags?: Record<string, unknown>;
}

/** Starts a worker with `activities`, and the API on port 0 over a WeftClient for its task queue. */
export async function apiFor(env: TestWorkflowEnvironment, activities: Record<string, ActivityFn>, o: ApiForOptions = {}): Promise<Api> {
  const worker = await dagWorker(env, activities);
  const dagsDir = mkdtempSync(join(tmpdir(), 'weft-api-dags-'));
  for (const [file, dag] of Object.entries(o.dags ?? {})) writeFileSync(join(dagsDir, file), toYaml(dag));
  const weft = new WeftClient(env.client, { taskQueue: worker.taskQueue, dagsDir });
  const { dags: _dags, ...opts } = o;
  const app = buildApi({ auth: { tokens: [TOKEN] }, eventsPollMs: 100, ...opts, weft });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  onTestFinished(async () => {
    await app.close();
    rmSync(dagsDir, { recursive: true, force: true });
  });
  return { app, url, weft, worker, dagsDir, call: caller(url) };
}

export function caller(url: string): Api['call'] {
  return (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? TOKEN : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body = o.body;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  };
}

/** Activities that wait until the test releases them, by node id; they also end when cancelled. */
export class Gates {
  private readonly waiting = new Map<string, { promise: Promise<void>; release: () => void }>();

  private gate(node: string): { promise: Promise<void>; release: () => void } {
    let g = this.waiting.get(node);
    if (!g) {
      let release!: () => void;
      const promise = new Promise<void>((r) => (release = r));
      g = { promise, release };
      this.waiting.set(node, g);
    }
    return g;
  }

  release(node: string): void {
    this.gate(node).release();
  }

  /** The activity: `{ node, progress? }` heartbeats the progress, then waits for `release(node)`. */
  readonly activity: ActivityFn = async (input: { node: string; progress?: { done: number; total: number } }) => {
    const ctx = Context.current();
    if (input.progress) ctx.heartbeat({ progress: input.progress });
    await Promise.race([this.gate(input.node).promise, ctx.cancelled]);
    return { released: input.node };
  };
}

export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

/**
 * Reads Server-Sent Events from a response, calling `onEvent` for each, until
 * the stream ends or `timeoutMs` passes.
 */
export async function readEvents(res: Response, onEvent: (e: SseEvent) => void = () => {}, timeoutMs = 30_000): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = setTimeout(() => void reader.cancel(new Error('event stream did not end in time')), timeoutMs);
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          fields.set(line.slice(0, i), line.slice(i + 1).trimStart());
        }
        if (!fields.has('data')) continue;
        const e: SseEvent = { event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data')!), ...(fields.has('id') ? { id: fields.get('id')! } : {}) };
        events.push(e);
        onEvent(e);
      }
    }
  } finally {
    clearTimeout(deadline);
  }
  return events;
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
