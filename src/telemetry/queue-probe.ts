/**
 * Gauges a worker reads from Temporal rather than counts itself: its task
 * queue's backlog (DescribeTaskQueue stats, as KEDA reads them) and the
 * approval nodes waiting in running runs on it. They are read when metrics
 * are scraped, at most every `minIntervalMs`, so an unscraped worker pays
 * nothing.
 */
import { Client, type ConnectionLike } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { readTaskQueueBacklog } from '../client/backlog';
import { statusQuery } from '../workflows/messages';
import { WORKFLOW_TYPES } from '../temporal/search-attributes';
import { onScrape, workerMetrics } from './metrics';

export interface QueueProbeOptions {
  connection: ConnectionLike;
  namespace: string;
  taskQueue: string;
  /** The worker's, so the status query's result decodes. */
  dataConverter?: DataConverter;
  /** @defaultValue 10 s */
  minIntervalMs?: number;
  /** Running runs whose status is read for the approvals gauge. @defaultValue 200 */
  maxRuns?: number;
}

/** How the interpreter describes an approval node that waits for a decision. */
const AWAITING_APPROVAL = /^awaiting approval/;

async function waitingApprovals(client: Client, taskQueue: string, maxRuns: number): Promise<Map<string, number>> {
  const byDag = new Map<string, number>();
  const query = `WorkflowType = '${WORKFLOW_TYPES.dagRun}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'`;
  const ids: string[] = [];
  for await (const run of client.workflow.list({ query, pageSize: maxRuns })) {
    ids.push(run.workflowId);
    if (ids.length >= maxRuns) break;
  }
  await Promise.all(
    ids.map(async (id) => {
      try {
        const status = await client.workflow.getHandle(id).query(statusQuery);
        const waiting = status.nodes.filter((n) => n.state === 'waiting' && AWAITING_APPROVAL.test(n.reason ?? '')).length;
        if (waiting > 0) byDag.set(status.dag, (byDag.get(status.dag) ?? 0) + waiting);
      } catch {
        // The run ended between the list and the query.
      }
    }),
  );
  return byDag;
}

/** Starts reading the gauges at scrape time; returns its stop. */
export function startQueueProbe(opts: QueueProbeOptions): () => void {
  const client = new Client({ connection: opts.connection, namespace: opts.namespace, ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}) });
  const m = workerMetrics();
  const minInterval = opts.minIntervalMs ?? 10_000;
  let last = 0;
  let pending: Promise<void> | undefined;
  let known = new Map<string, number>();
  const refresh = async (): Promise<void> => {
    const backlog = await readTaskQueueBacklog(client, opts.taskQueue);
    for (const t of backlog.types) {
      m.backlog.set({ task_queue: opts.taskQueue, type: t.kind }, t.backlogCount);
      m.backlogAge.set({ task_queue: opts.taskQueue, type: t.kind }, t.backlogAgeMs / 1000);
    }
    const approvals = await waitingApprovals(client, opts.taskQueue, opts.maxRuns ?? 200);
    // Only DAGs seen on this queue are ours to reset: other workers in the process share the gauge.
    for (const dag of known.keys()) if (!approvals.has(dag)) m.approvalsWaiting.set({ dag }, 0);
    for (const [dag, n] of approvals) m.approvalsWaiting.set({ dag }, n);
    known = approvals;
  };
  return onScrape(async () => {
    if (Date.now() - last < minInterval) return;
    pending ??= refresh().finally(() => {
      last = Date.now();
      pending = undefined;
    });
    await pending;
  });
}
