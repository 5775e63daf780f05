/**
 * `dagRun`: the one generic workflow that runs any compiled DAG. Its argument
 * is plain JSON (the compiled DAG, the input, and reused outputs), so a run
 * can be started from any client, language or schedule.
 */
import { ApplicationFailure, continueAsNew, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CompiledDag } from '../dag/types';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { isPackedDag, packDag, toCompiled, type PackedDag } from '../dag/pack';
import { checkPartitionSettings, DEFAULT_PARTITIONING, shouldPartition, type PartitionSettings } from '../dag/partition';
import { FAILURE_TYPES } from './messages';
import { registerRunHandlers } from './partition/handlers';
import { PartitionedRun } from './partition/parent';
import { DagRunner, type CarriedState, type RunnerOptions } from './runner';

export interface DagRunArgs {
  /** The compiled DAG; clients send its packed form (see src/dag/pack.ts). */
  dag: CompiledDag | PackedDag;
  input?: unknown;
  /** Outputs of nodes that already succeeded in an earlier run (retry --from-failed), by node id. */
  reuse?: Record<string, unknown>;
  options?: RunnerOptions;
  /** State carried across continue-as-new; set by dagRun itself. */
  carried?: CarriedState;
  /**
   * When the run is split into partition child workflows, and their size
   * (docs/interpreter.md, "Scale"). @defaultValue DEFAULT_PARTITIONING: above 5,000 nodes, 1,000 per partition
   */
  partitions?: Partial<PartitionSettings>;
}

/** Marks runs that may be partitioned, so runs recorded before partitions replay on one workflow. */
export const PARTITION_PATCH = 'weft-partitions';

const WEFT_STATUS = SEARCH_ATTRIBUTE_KEYS.status;

/** Only upsert when the run was started with Weft's search attributes (so the server knows them). */
function setStatusAttribute(state: string): void {
  if (workflowInfo().typedSearchAttributes.get(WEFT_STATUS) !== undefined) {
    upsertSearchAttributes([{ key: WEFT_STATUS, value: state }]);
  }
}

export async function dagRun(args: DagRunArgs): Promise<unknown> {
  const settings = partitionSettings(args);
  // A continued execution stays on the path its chain began on; patched() last, so small DAGs record no marker.
  if (!args.carried && shouldPartition(args.dag, settings) && patched(PARTITION_PATCH)) return runPartitioned(args, settings);
  const dag = toCompiled(args.dag);
  const runner = new DagRunner(dag, args.input ?? null, args.options, args.reuse, args.carried);
  registerRunHandlers(runner);
  try {
    const result = await runner.run();
    if (result.kind === 'continue') {
      const packed = isPackedDag(args.dag) ? args.dag : packDag(dag);
      return await continueAsNew<typeof dagRun>({ dag: packed, input: args.input, options: args.options, carried: result.carried });
    }
    setStatusAttribute('succeeded');
    return result.output;
  } catch (err) {
    if (runner.state === 'failed' || runner.state === 'cancelled') setStatusAttribute(runner.state);
    throw err;
  }
}

function partitionSettings(args: DagRunArgs): PartitionSettings {
  try {
    return checkPartitionSettings({ ...DEFAULT_PARTITIONING, ...args.partitions });
  } catch (err) {
    throw ApplicationFailure.create({ type: FAILURE_TYPES.BAD_INPUT, message: (err as Error).message, nonRetryable: true });
  }
}

/** A DAG past the threshold: its partitions run as child workflows (partition/parent.ts); the DAG is never unpacked whole. */
async function runPartitioned(args: DagRunArgs, settings: PartitionSettings): Promise<unknown> {
  const packed = isPackedDag(args.dag) ? args.dag : packDag(args.dag);
  const run = new PartitionedRun(packed, args.input ?? null, settings, args.reuse, args.options);
  run.register();
  try {
    const output = await run.run();
    setStatusAttribute('succeeded');
    return output;
  } catch (err) {
    if (run.state === 'failed' || run.state === 'cancelled') setStatusAttribute(run.state);
    throw err;
  }
}
