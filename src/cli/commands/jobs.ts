/**
 * `weft jobs enqueue|status|list|retry`: single jobs on sharded job queues
 * (docs/jobs.md), over WeftClient.jobs. A job id is `<queue>/<key>`.
 */
import type { Command } from 'commander';
import type { JobsClient, JobState, JobView } from '../../client/jobs';
import { clientFrom, withConnectionOptions, type ConnectionFlags } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { choiceOption, jsonOption, positiveIntOption } from '../options';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const STATES: readonly JobState[] = ['pending', 'running', 'succeeded', 'failed'];

type JobFlags = ConnectionFlags & { shards?: number; json?: boolean };

/** `--shards` on every subcommand: a job id maps to its shard through the count. */
function withShards(cmd: Command): Command {
  return withConnectionOptions(cmd.option('--shards <n>', 'shards of the queue; must match what enqueued it (default: jobs.shards in the config, WEFT_JOBS_SHARDS, else 4)', positiveIntOption('--shards')).option('--json', 'machine output'));
}

async function jobsFrom(flags: JobFlags): Promise<JobsClient> {
  const { weft } = await clientFrom(flags);
  return flags.shards ? new (await import('../../client/jobs')).JobsClient(weft.temporal, weft.taskQueue, { shards: flags.shards }) : weft.jobs;
}

function describe(v: JobView): string {
  const when = v.finishedAt ? ` at ${v.finishedAt}` : v.startedAt ? ` since ${v.startedAt}` : ` since ${v.submittedAt}`;
  const attempt = v.attempt !== undefined ? `, attempt ${v.attempt}` : '';
  const detail = v.state === 'failed' ? `: ${v.error?.message ?? 'failed'}${v.failedRecord ? ` (record ${v.failedRecord})` : ''}` : v.state === 'succeeded' && v.outputDropped ? ' (output too large to keep)' : '';
  return `${v.id}  ${v.state}${attempt}  ${v.activity}${when}${detail}`;
}

export function registerJobs(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('Single jobs on sharded job queues: one activity each, at queue speed, failures kept visible')
    .addHelpText('after', '\nExamples:\n  $ weft jobs enqueue emails http.request --input \'{"method":"POST","url":"https://example.com/send"}\' --key order-42\n  $ weft jobs status emails/order-42\n  $ weft jobs list emails --state failed\n  $ weft jobs retry emails/order-42\n');

  withShards(
    jobs
      .command('enqueue')
      .description('Enqueue one job: <activity> with --input on <queue>; the same --key runs once')
      .argument('<queue>', 'queue name: lowercase letters, digits, ".", "_" and "-"')
      .argument('<activity>', 'registry name of the activity, e.g. http.request')
      .option('--input <json>', 'job input as JSON, or @file.json', jsonOption('--input'))
      .option('--key <key>', 'idempotency key: the job id becomes <queue>/<key>')
      .option('--retry <json>', 'retry policy as in a DAG node, e.g. {"maximumAttempts":5,"initialInterval":"1s"}', jsonOption('--retry'))
      .option('--timeout <duration>', 'start-to-close timeout, e.g. 30s')
      .option('--wait', 'wait for the job to finish; exit 1 if it failed'),
  ).action(async (queue: string, activity: string, flags: JobFlags & { input?: unknown; key?: string; retry?: unknown; timeout?: string; wait?: boolean }) => {
    const client = await jobsFrom(flags);
    const ref = await client.enqueue({ queue, activity, ...(flags.input !== undefined ? { input: flags.input } : {}), ...(flags.key ? { key: flags.key } : {}), ...(flags.retry !== undefined ? { retry: flags.retry as never } : {}), ...(flags.timeout ? { timeout: flags.timeout } : {}) });
    if (!flags.wait) return out(flags.json ? JSON.stringify(ref) : `enqueued ${ref.id} (shard ${ref.shard})`);
    let view = await client.getJob(ref.id);
    while (view.state === 'pending' || view.state === 'running') {
      await new Promise((r) => setTimeout(r, 200));
      view = await client.getJob(ref.id);
    }
    out(flags.json ? JSON.stringify(view) : describe(view));
    if (view.state === 'failed') throw new CliError(`job ${view.id} failed: ${view.error?.message ?? 'failed'}`, EXIT.FAILURE);
  });

  withShards(jobs.command('status').description('State of one job: pending, running, succeeded (with output) or failed (with error)').argument('<id>', 'job id, <queue>/<key>')).action(async (id: string, flags: JobFlags) => {
    const view = await (await jobsFrom(flags)).getJob(id);
    if (flags.json) return out(JSON.stringify(view));
    out(describe(view));
    if (view.output !== undefined) out(`output: ${JSON.stringify(view.output)}`);
  });

  withShards(
    jobs
      .command('list')
      .description("Jobs a queue's shards remember: running, pending, then recently finished (older failures: weft runs list --status failed --dag jobs.<queue>)")
      .argument('<queue>', 'queue name')
      .option('--state <state>', `only jobs in this state: ${STATES.join(', ')}`, choiceOption('--state', STATES))
      .option('--limit <n>', 'most jobs shown (default 50)', positiveIntOption('--limit')),
  ).action(async (queue: string, flags: JobFlags & { state?: JobState; limit?: number }) => {
    const views = await (await jobsFrom(flags)).list(queue, { ...(flags.state ? { state: flags.state } : {}), ...(flags.limit ? { limit: flags.limit } : {}) });
    if (flags.json) return out(JSON.stringify(views));
    if (views.length === 0) out(`no ${flags.state ?? ''} jobs remembered on queue ${queue}`.replace('  ', ' '));
    for (const v of views) out(describe(v));
  });

  withShards(jobs.command('retry').description('Re-enqueue a failed job under the same id, so the same idempotency key').argument('<id>', 'job id, <queue>/<key>')).action(async (id: string, flags: JobFlags) => {
    const ref = await (await jobsFrom(flags)).retry(id);
    out(flags.json ? JSON.stringify(ref) : `re-enqueued ${ref.id} (shard ${ref.shard})`);
  });
}
