/**
 * `weft worker --metrics-port`: serves the process's metrics (Weft's, Node's
 * and the Temporal SDK's) at /metrics for Prometheus to scrape.
 */
import { createServer } from 'node:http';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics';

export interface MetricsServer {
  /** e.g. http://0.0.0.0:9464/metrics */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    renderMetrics().then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
