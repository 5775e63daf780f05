/**
 * `weft worker`: a worker process for production. It serves dagRun and the
 * registered activities on a task queue, exposes Prometheus metrics and the
 * /healthz and /readyz probes (src/workers/probes.ts), and on
 * SIGTERM/SIGINT stops polling, gives running activities a grace period, then
 * cancels them (they see it through their heartbeats) and exits.
 */
import type { Command } from 'commander';
import { createLogger, LOG_FORMATS, type LogFormat } from '../../common/logger';
import { parseDuration } from '../../dag/duration';
import { installRuntime } from '../../workers/runtime';
import { startWorkerHttpServer, WorkerProbes } from '../../workers/probes';
import { createWeftWorker } from '../../workers/worker';
import { configFrom, withConnectionOptions, type ConnectionFlags } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { choiceOption, portOption, positiveIntOption } from '../options';

interface WorkerFlags extends ConnectionFlags {
  activities?: string[];
  concurrency?: number;
  workflowConcurrency?: number;
  rate?: number;
  queueRate?: number;
  metricsPort?: number;
  logFormat?: LogFormat;
  workflowStackTraces?: boolean;
  shutdownGrace: string;
}

function rateOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new CliError(`Expected ${flag} to be a number above 0, got \`${value}\`.`, EXIT.USAGE);
    return n;
  };
}

export function registerWorker(program: Command): void {
  withConnectionOptions(
    program
      .command('worker')
      .description('Run a worker: the dagRun interpreter and the registered activities on one task queue')
      .option('--activities <modules...>', 'activity modules to load, besides config activityModules')
      .option('--concurrency <n>', 'most activities in flight in this worker (default 100)', positiveIntOption('--concurrency'))
      .option('--workflow-concurrency <n>', 'most workflow tasks in flight (default 40)', positiveIntOption('--workflow-concurrency'))
      .option('--rate <perSecond>', 'most activities started per second by this worker', rateOption('--rate'))
      .option('--queue-rate <perSecond>', 'most activities per second across all workers of the task queue (enforced by the server)', rateOption('--queue-rate'))
      .option('--metrics-port <port>', "serve Prometheus metrics (Weft's, Node's and the Temporal SDK's) at :<port>/metrics, and the probes /healthz (alive) and /readyz (polling; not while starting or draining)", portOption('--metrics-port'))
      .option('--log-format <format>', 'pretty (one line per event; the default on a TTY) or json (the default otherwise; env WEFT_LOG_FORMAT)', choiceOption('--log-format', LOG_FORMATS))
      .option('--workflow-stack-traces', "capture a stack per promise in workflow threads, for the Temporal UI's Stack trace tab (costs most of the workflow thread's CPU; env WEFT_WORKFLOW_STACK_TRACES)")
      .option('--no-workflow-stack-traces', 'do not capture them (the default)')
      .option('--shutdown-grace <duration>', 'on SIGTERM, how long running activities may finish before they are cancelled', '30s'),
  )
    .addHelpText('after', '\nExamples:\n  $ weft worker --task-queue weft --concurrency 50 --metrics-port 9464\n  $ weft worker --task-queue images --activities ./dist/image-activities.js --queue-rate 20\n')
    .action(async (flags: WorkerFlags) => {
      const grace = parseDuration(flags.shutdownGrace);
      if (grace === undefined) throw new CliError(`Expected --shutdown-grace to be a duration such as 30s, got \`${flags.shutdownGrace}\`.`, EXIT.USAGE);
      const base = configFrom(flags);
      const config = {
        ...base,
        activityModules: [...base.activityModules, ...(flags.activities ?? [])],
        log: { ...base.log, ...(flags.logFormat ? { format: flags.logFormat } : {}) },
        worker: { ...base.worker, ...(flags.workflowStackTraces !== undefined ? { workflowStackTraces: flags.workflowStackTraces } : {}) },
      };
      const logger = createLogger(config.log, 'weft-worker');
      await installRuntime({ logger, sdkMetrics: flags.metricsPort !== undefined });
      // Open before the worker is built, so the probes answer (not ready) while it loads, connects and bundles.
      const probes = new WorkerProbes();
      const http = flags.metricsPort !== undefined ? await startWorkerHttpServer(flags.metricsPort, probes) : undefined;
      const weftWorker = await createWeftWorker({
        config,
        logger,
        tuning: {
          maxConcurrentActivityTaskExecutions: flags.concurrency ?? 100,
          maxConcurrentWorkflowTaskExecutions: flags.workflowConcurrency ?? 40,
          ...(flags.rate ? { maxActivitiesPerSecond: flags.rate } : {}),
          ...(flags.queueRate ? { maxTaskQueueActivitiesPerSecond: flags.queueRate } : {}),
          shutdownGraceTime: grace,
        },
      });
      const { worker } = weftWorker;
      probes.attach(worker);
      let signalled: string | undefined;
      const stop = (signal: string): void => {
        if (signalled) return;
        signalled = signal;
        probes.drain();
        logger.info({ signal, graceMs: grace }, 'shutting down: no new tasks; running activities get the grace period, then are cancelled');
        worker.shutdown();
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      process.stdout.write(
        `weft worker: task queue "${config.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace}); activities: ${weftWorker.registry.names().join(', ')}` +
          `${http ? `; metrics and probes on ${http.url} (/metrics, /healthz, /readyz)` : ''}\n`,
      );
      try {
        await worker.run();
      } finally {
        await weftWorker.close();
        await http?.close();
      }
      logger.info({ signal: signalled }, 'worker stopped');
    });
}
