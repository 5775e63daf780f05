/**
 * What every command that talks to Temporal needs: config (flags > env >
 * file > defaults) and a client. A WeftClient brings DAG validation and the
 * DAGs folder with it; commands that only read runs take the plain Temporal
 * client (`temporalFrom`), which starts about a tenth of a second sooner.
 */
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { WeftClient } from '../client/weft-client';
import { connectTemporal } from '../client/connect';
import { loadConfig } from '../config/load';
import type { WeftConfig } from '../config/schema';

export interface ConnectionFlags {
  config?: string;
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

/** Adds the connection flags shared by client commands. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default weft.config.yaml|yml|json if present)')
    .option('--address <host:port>', 'Temporal frontend (env TEMPORAL_ADDRESS, default 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (env TEMPORAL_NAMESPACE, default default)')
    .option('--task-queue <name>', 'task queue of new runs (env WEFT_TASK_QUEUE, default weft)');
}

export function configFrom(flags: ConnectionFlags): WeftConfig {
  return loadConfig({
    file: flags.config,
    overrides: {
      temporal: { ...(flags.address ? { address: flags.address } : {}), ...(flags.namespace ? { namespace: flags.namespace } : {}) },
      ...(flags.taskQueue ? { taskQueue: flags.taskQueue } : {}),
    },
    overrideSources: { 'temporal.address': '--address', 'temporal.namespace': '--namespace', taskQueue: '--task-queue' },
  });
}

export async function clientFrom(flags: ConnectionFlags): Promise<{ weft: WeftClient; config: WeftConfig }> {
  const config = configFrom(flags);
  const { createWeftClient } = await import('../client/create');
  return { weft: await createWeftClient({ config }), config };
}

/** The Temporal client alone, for src/client/run-reads.ts. */
export async function temporalFrom(flags: ConnectionFlags): Promise<{ temporal: Client; config: WeftConfig }> {
  const config = configFrom(flags);
  return { temporal: await connectTemporal(config), config };
}
