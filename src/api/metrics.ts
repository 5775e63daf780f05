/**
 * Prometheus metrics of the API process, in the text exposition format:
 * request counts and durations by method, route and status, open event
 * streams, and `weft_api_up`. Small enough not to need a client library.
 */

/** Upper bounds of the duration histogram, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histogram {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
}

export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private openStreams = 0;

  /** Records one finished request. `route` is the route pattern (`/v1/runs/:id`), never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = labelText({ method, route, status: String(status) });
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hkey = labelText({ method, route });
    let h = this.durations.get(hkey);
    if (!h) {
      h = { labels: hkey, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(hkey, h);
    }
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.counts[i]!++;
    });
    h.sum += seconds;
    h.count++;
  }

  streamOpened(): void {
    this.openStreams++;
  }

  streamClosed(): void {
    this.openStreams--;
  }

  render(): string {
    const out = [
      '# HELP weft_api_up 1 while the API process is serving.',
      '# TYPE weft_api_up gauge',
      'weft_api_up 1',
      '# HELP weft_api_requests_total HTTP requests answered, by method, route and status.',
      '# TYPE weft_api_requests_total counter',
      ...[...this.requests].map(([labels, n]) => `weft_api_requests_total{${labels}} ${n}`),
      '# HELP weft_api_request_duration_seconds Time to answer HTTP requests (event streams: until they end), by method and route.',
      '# TYPE weft_api_request_duration_seconds histogram',
    ];
    for (const h of this.durations.values()) {
      BUCKETS.forEach((le, i) => out.push(`weft_api_request_duration_seconds_bucket{${h.labels},le="${le}"} ${h.counts[i]}`));
      out.push(`weft_api_request_duration_seconds_bucket{${h.labels},le="+Inf"} ${h.count}`);
      out.push(`weft_api_request_duration_seconds_sum{${h.labels}} ${h.sum}`);
      out.push(`weft_api_request_duration_seconds_count{${h.labels}} ${h.count}`);
    }
    out.push('# HELP weft_api_event_streams Open run event streams (SSE).', '# TYPE weft_api_event_streams gauge', `weft_api_event_streams ${this.openStreams}`);
    return `${out.join('\n')}\n`;
  }
}
