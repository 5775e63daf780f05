/**
 * Prometheus metrics of the API (prom-client): request counts and durations
 * by method, route and status, open event streams and `weft_api_up`. Each
 * API instance has its own registry for these; /metrics also shows the
 * process's metrics (Node's, and the worker's under `weft dev`). The metric
 * names are the ones the hand-written exposition used.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StartGate } from './admission';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../telemetry/metrics';

/** Upper bounds of the duration histogram, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ApiMetrics {
  readonly registry = new Registry();
  readonly contentType = METRICS_CONTENT_TYPE;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route'>;
  private readonly streams: Gauge;

  constructor() {
    const registers = [this.registry];
    new Gauge({ name: 'weft_api_up', help: '1 while the API process is serving.', registers }).set(1);
    this.requests = new Counter({ name: 'weft_api_requests_total', help: 'HTTP requests answered, by method, route and status.', labelNames: ['method', 'route', 'status'], registers });
    this.durations = new Histogram({
      name: 'weft_api_request_duration_seconds',
      help: 'Time to answer HTTP requests (event streams: until they end), by method and route.',
      labelNames: ['method', 'route'],
      buckets: BUCKETS,
      registers,
    });
    this.streams = new Gauge({ name: 'weft_api_event_streams', help: 'Open run event streams (SSE).', registers });
  }

  /** Starts in flight, waiting, and refused by the admission bound (admission.ts), read when scraped. */
  watchStarts(gate: StartGate): void {
    const registers = [this.registry];
    new Gauge({ name: 'weft_api_starts_in_flight', help: 'Starts sent to Temporal and not answered yet.', registers, collect() { this.set(gate.inFlight); } });
    new Gauge({ name: 'weft_api_starts_queued', help: 'Starts waiting for a slot (api.starts.maxQueued).', registers, collect() { this.set(gate.queued); } });
    new Counter({
      name: 'weft_api_starts_refused_total',
      help: 'Starts refused before reaching Temporal: queue_full (api.starts.maxQueued) or queue_wait (api.starts.maxQueueWaitMs).',
      labelNames: ['reason'],
      registers,
      // The gate counts; the metric shows its totals when scraped.
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(gate.refused)) this.inc({ reason }, n);
      },
    });
  }

  /** Records one finished request. `route` is the route pattern (`/v1/runs/:id`), never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }

  streamOpened(): void {
    this.streams.inc();
  }

  streamClosed(): void {
    this.streams.dec();
  }

  /** The API's metrics and the process's, in the text exposition format. */
  render(): Promise<string> {
    return renderMetrics(this.registry);
  }
}
