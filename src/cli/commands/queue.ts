/**
 * `weft queue add|status`: FIFO queues per key, over WeftClient.enqueue; and,
 * without a key, the backlog of the task queue itself (what autoscalers read).
 */
import type { Command } from 'commander';
import { QueueNotFoundError, DagNotFoundError, type WeftClient } from '../../client';
import { readTaskQueueBacklog, TaskQueueBacklogError, type TaskQueueBacklog } from '../../client/backlog';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { durationOption, jsonOption, positiveIntOption } from '../options';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);

export function registerQueue(program: Command): void {
  const queue = program
    .command('queue')
    .description('FIFO queues per key: jobs of one key run one at a time, in the order accepted')
    .addHelpText('after', '\nExamples:\n  $ weft queue add customer-42 order-saga --input \'{"orderId":"o1","sku":"mug","quantity":1,"amountCents":900}\' --id o1\n  $ weft queue status customer-42\n');

  withConnectionOptions(
    queue
      .command('add')
      .description('Add a job to the queue of <key>; the queue is created on first use')
      .argument('<key>', 'queue key, e.g. a customer id')
      .argument('<dag>', 'name of a DAG in the DAGs folder')
      .option('--input <json>', 'job input as JSON, or @file.json', jsonOption('--input'))
      .option('--id <key>', 'idempotency key of the job: a second add with it is dropped')
      .option('--priority <n>', 'priority 1 (highest) to 5', positiveIntOption('--priority'))
      .option('--concurrency <n>', 'jobs of this key at once, when this call creates the queue (default 1)', positiveIntOption('--concurrency'))
      .option('--debounce <duration>', 'when this call creates the queue: run only the newest job of a burst', durationOption('--debounce'))
      .option('--throttle <duration>', 'when this call creates the queue: at most one start per interval', durationOption('--throttle'))
      .option('--json', 'machine output'),
  ).action(async (key: string, dag: string, flags: ConnectionFlags & { input?: unknown; id?: string; priority?: number; concurrency?: number; debounce?: string; throttle?: string; json?: boolean }) => {
    if (flags.priority !== undefined && flags.priority > 5) throw new CliError(`Expected --priority to be 1 to 5, got \`${flags.priority}\`.`, EXIT.USAGE);
    const { weft } = await clientFrom(flags);
    try {
      const job = await weft.enqueue(key, dag, flags.input, {
        ...(flags.id ? { idempotencyKey: flags.id } : {}),
        ...(flags.priority ? { priority: flags.priority } : {}),
        queue: { ...(flags.concurrency ? { concurrency: flags.concurrency } : {}), ...(flags.debounce ? { debounce: flags.debounce } : {}), ...(flags.throttle ? { throttle: flags.throttle } : {}) },
      });
      out(flags.json ? JSON.stringify(job) : `queued job ${job.jobId} on ${key}; its run will be ${job.runId}`);
    } catch (e) {
      if (e instanceof DagNotFoundError) throw new CliError(e.message, EXIT.NOT_FOUND);
      throw e;
    }
  });

  withConnectionOptions(
    queue
      .command('status')
      .description('Length, running and next jobs, and counts of the queue of <key>; without a key, the backlog of the task queue (--task-queue)')
      .argument('[key]', 'queue key; omit it for the task queue backlog')
      .option('--json', 'machine output'),
  ).action(async (key: string | undefined, flags: ConnectionFlags & { json?: boolean }) => {
    const { weft } = await clientFrom(flags);
    if (key === undefined) return printBacklog(weft, flags.json === true);
    try {
      const s = await weft.queueStatus(key);
      if (flags.json) return out(JSON.stringify(s));
      out(`queue ${key}: ${s.length} waiting, ${s.running.length} running; accepted ${s.counts.accepted}, succeeded ${s.counts.succeeded}, failed ${s.counts.failed}, superseded ${s.counts.superseded}, duplicates ${s.counts.duplicates}`);
      for (const r of s.running) out(`  ▶ ${r.jobId} (#${r.seq})`);
      for (const r of s.next) out(`  · ${r.jobId} (#${r.seq})`);
    } catch (e) {
      if (e instanceof QueueNotFoundError) throw new CliError(e.message, EXIT.NOT_FOUND);
      throw e;
    }
  });
}

async function printBacklog(weft: WeftClient, json: boolean): Promise<void> {
  let b: TaskQueueBacklog;
  try {
    b = await readTaskQueueBacklog(weft.temporal, weft.taskQueue);
  } catch (e) {
    if (e instanceof TaskQueueBacklogError) throw new CliError(e.message, EXIT.UNAVAILABLE);
    throw e;
  }
  if (json) return out(JSON.stringify(b));
  out(`task queue ${b.taskQueue} (namespace ${b.namespace}): ${b.backlogCount} task(s) waiting, oldest ${formatAge(b.backlogAgeMs)}`);
  for (const t of b.types) {
    out(`  ${t.kind.padEnd(8)} backlog ${String(t.backlogCount).padStart(6)}  oldest ${formatAge(t.backlogAgeMs).padStart(7)}  add ${t.addRate.toFixed(1)}/s  dispatch ${t.dispatchRate.toFixed(1)}/s  pollers ${t.pollers}`);
  }
  if (b.types.every((t) => t.pollers === 0)) out('  no worker polls this task queue: start one with `weft worker`');
}

function formatAge(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.round(ms / 60_000)}m`;
}
