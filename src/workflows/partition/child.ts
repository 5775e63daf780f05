/**
 * `dagPartition`: the child workflow that runs one partition of a large run
 * (src/dag/partition.ts). It is an ordinary run machine over a small DAG: the
 * partition's own nodes, preceded by one stub per imported node, whose
 * status and output arrive as carried state, so trigger rules and
 * expressions see them exactly as in one big run. It never fails as a
 * workflow: it returns how each of its own nodes ended, and the parent
 * decides what that means for the run.
 */
import { continueAsNew, isCancellation } from '@temporalio/workflow';
import { toCompiled } from '../../dag/pack';
import { compact } from '../carry';
import { DagRunner } from '../runner';
import { registerRunHandlers } from './handlers';
import { partitionFailureSignal, type PartitionArgs, type PartitionResult } from './messages';

export async function dagPartition(args: PartitionArgs): Promise<PartitionResult> {
  const dag = toCompiled(args.dag);
  const runner = new DagRunner(dag, args.input ?? null, { ...args.options, runId: args.runId }, {}, args.carried);
  registerRunHandlers(runner, { failureSignal: partitionFailureSignal });
  let cancelled = false;
  try {
    const result = await runner.run();
    if (result.kind === 'continue') return await continueAsNew<typeof dagPartition>({ ...args, carried: result.carried });
  } catch (err) {
    if (isCancellation(err)) cancelled = true;
    // A failed run machine has ended (remaining nodes closed); anything else is a defect the parent must see.
    else if (runner.state !== 'failed') throw err;
  }
  const status = runner.getStatus({ outputs: true });
  const done: PartitionResult['done'] = {};
  const outputs: PartitionResult['outputs'] = {};
  for (const s of status.nodes.slice(status.nodes.length - args.own)) {
    const { output, ...rest } = s;
    done[s.id] = compact(rest);
    if (output !== null && output !== undefined) outputs[s.id] = output;
  }
  const failure = status.error?.node !== undefined ? { node: status.error.node, error: { message: status.error.message, ...(status.error.type ? { type: status.error.type } : {}) } } : undefined;
  return { done, outputs, ...(failure ? { failure } : {}), ...(cancelled ? { cancelled } : {}) };
}
