/**
 * The HTTP endpoints of `weft worker --metrics-port`: /metrics for
 * Prometheus, and the probes an orchestrator asks.
 *
 * - `/healthz` (liveness): 200 while the process serves requests, from the
 *   moment the port is open, through start-up and the drain on SIGTERM. It is
 *   503 only once the Worker has failed, which no restart-free wait can mend.
 *   A drain answers 200: killing a draining worker would cut its activities'
 *   grace period short.
 * - `/readyz` (readiness): 200 only while the Worker is running (polling its
 *   task queue); 503 while the process loads activity modules, connects and
 *   loads or builds the workflow bundle, and from the moment it starts to
 *   drain. A worker takes no traffic through a Service, so "ready" is for the
 *   rollout: a new pod counts as available only once it polls, so
 *   `maxUnavailable: 0` keeps the old one until then.
 *
 * The server starts before the Worker exists, so the probes answer during
 * start-up rather than refusing connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Worker } from '@temporalio/worker';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../telemetry/metrics';

type WorkerState = ReturnType<Worker['getState']>;

/** What the probes report; `weft worker` moves it along as it starts and stops. */
export class WorkerProbes {
  private worker: Pick<Worker, 'getState'> | undefined;
  private draining = false;

  /** Call once the Worker exists; from then on its own state decides. */
  attach(worker: Pick<Worker, 'getState'>): void {
    this.worker = worker;
  }

  /** Call when a signal starts the drain: readiness ends at once, before the SDK changes its state. */
  drain(): void {
    this.draining = true;
  }

  /** `starting` until a Worker is attached, then the SDK's state (`RUNNING`, `DRAINING`, `FAILED`, …). */
  get state(): 'starting' | WorkerState {
    return this.worker?.getState() ?? 'starting';
  }

  get ready(): boolean {
    return !this.draining && this.state === 'RUNNING';
  }

  get alive(): boolean {
    return this.state !== 'FAILED';
  }
}

export interface WorkerHttpServer {
  /** e.g. http://0.0.0.0:9464 */
  url: string;
  close(): Promise<void>;
}

function answer(res: ServerResponse, ok: boolean, body: Record<string, unknown>): void {
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
}

function handle(probes: WorkerProbes, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET and HEAD\n');
    return;
  }
  if (path === '/healthz') return answer(res, probes.alive, { status: probes.alive ? 'alive' : 'failed', worker: probes.state });
  if (path === '/readyz') return answer(res, probes.ready, { status: probes.ready ? 'ready' : 'not ready', worker: probes.state });
  if (path === '/metrics') {
    renderMetrics().then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this port serves /metrics, /healthz and /readyz\n');
}

/** Listens on `port` (0 picks a free one) and serves /metrics, /healthz and /readyz. */
export async function startWorkerHttpServer(port: number, probes: WorkerProbes, host = '0.0.0.0'): Promise<WorkerHttpServer> {
  const server = createServer((req, res) => handle(probes, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${bound}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
