/**
 * The process's Prometheus metrics (prom-client): Node process metrics, the
 * worker's run and node metrics, and extra text sources (the Temporal SDK's
 * own metrics) appended at scrape time. One registry per process, so under
 * `weft dev` the API's /metrics shows the worker's metrics too.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; node attempts and runs range from milliseconds to hours. */
const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

let registry: Registry | undefined;
const textSources = new Set<() => Promise<string>>();
const beforeScrape = new Set<() => Promise<void>>();

/** The process registry, with Node's default process metrics. */
export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** Adds a source of ready-made exposition text (e.g. the SDK's metrics); returns its removal. */
export function addMetricsText(source: () => Promise<string>): () => void {
  textSources.add(source);
  return () => textSources.delete(source);
}

/** Runs `refresh` before each scrape (gauges read from Temporal, e.g. the backlog); returns its removal. */
export function onScrape(refresh: () => Promise<void>): () => void {
  beforeScrape.add(refresh);
  return () => beforeScrape.delete(refresh);
}

/** The exposition text of `registries` plus the process registry and the text sources. */
export async function renderMetrics(...registries: Registry[]): Promise<string> {
  await Promise.all([...beforeScrape].map((refresh) => refresh().catch(() => undefined)));
  const merged = Registry.merge([...registries, processRegistry()]);
  const parts = [await merged.metrics()];
  for (const source of textSources) {
    try {
      parts.push(await source());
    } catch {
      // A source that cannot answer (e.g. shutting down) must not fail the scrape of everything else.
    }
  }
  return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface WorkerMetrics {
  runsStarted: Counter<'dag'>;
  runsCompleted: Counter<'dag'>;
  runsFailed: Counter<'dag'>;
  runsCancelled: Counter<'dag'>;
  runDuration: Histogram<'dag' | 'outcome'>;
  nodeDuration: Histogram<'dag' | 'node' | 'outcome'>;
  nodeAttempts: Counter<'dag' | 'node' | 'outcome'>;
  nodeRetries: Counter<'dag' | 'node'>;
  nodeFailures: Counter<'dag' | 'node'>;
  approvalsWaiting: Gauge<'dag'>;
  backlog: Gauge<'task_queue' | 'type'>;
  backlogAge: Gauge<'task_queue' | 'type'>;
}

let worker: WorkerMetrics | undefined;

/** The worker's metrics, created once in the process registry. */
export function workerMetrics(): WorkerMetrics {
  if (worker) return worker;
  const registers = [processRegistry()];
  worker = {
    runsStarted: new Counter({ name: 'weft_runs_started_total', help: 'DAG runs started, by DAG.', labelNames: ['dag'], registers }),
    runsCompleted: new Counter({ name: 'weft_runs_completed_total', help: 'DAG runs that succeeded, by DAG.', labelNames: ['dag'], registers }),
    runsFailed: new Counter({ name: 'weft_runs_failed_total', help: 'DAG runs that failed, by DAG.', labelNames: ['dag'], registers }),
    runsCancelled: new Counter({ name: 'weft_runs_cancelled_total', help: 'DAG runs cancelled, by DAG.', labelNames: ['dag'], registers }),
    runDuration: new Histogram({
      name: 'weft_run_duration_seconds',
      help: 'Time from a run start to its end (continue-as-new included), by DAG and outcome.',
      labelNames: ['dag', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    nodeDuration: new Histogram({
      name: 'weft_node_duration_seconds',
      help: 'Time one activity attempt of a node took, by DAG, node and outcome (success, failure, cancelled).',
      labelNames: ['dag', 'node', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    nodeAttempts: new Counter({ name: 'weft_node_attempts_total', help: 'Activity attempts of nodes, by DAG, node and outcome.', labelNames: ['dag', 'node', 'outcome'], registers }),
    nodeRetries: new Counter({ name: 'weft_node_retries_total', help: 'Attempts after the first (retries), by DAG and node.', labelNames: ['dag', 'node'], registers }),
    nodeFailures: new Counter({ name: 'weft_node_failures_total', help: 'Nodes whose activity failed for good (retries exhausted or non-retryable), by DAG and node.', labelNames: ['dag', 'node'], registers }),
    approvalsWaiting: new Gauge({ name: 'weft_approvals_waiting', help: 'Approval nodes waiting for a decision in running runs on this task queue, by DAG.', labelNames: ['dag'], registers }),
    backlog: new Gauge({ name: 'weft_task_queue_backlog', help: 'Approximate tasks waiting in the task queue, by type (workflow, activity).', labelNames: ['task_queue', 'type'], registers }),
    backlogAge: new Gauge({ name: 'weft_task_queue_backlog_age_seconds', help: 'Age of the oldest waiting task, by type.', labelNames: ['task_queue', 'type'], registers }),
  };
  return worker;
}
