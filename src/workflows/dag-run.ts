/**
 * `dagRun`: the one generic workflow that runs any compiled DAG. Its argument
 * is plain JSON (the compiled DAG, the input, and reused outputs), so a run
 * can be started from any client, language or schedule.
 */
import { continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CompiledDag } from '../dag/types';
import { SEARCH_ATTRIBUTE_KEYS } from '../temporal/search-attributes';
import { isPackedDag, packDag, toCompiled, type PackedDag } from '../dag/pack';
import { approvalSignal, approvalUpdate, resolveFailureUpdate, statusQuery, type ApprovalDecision, type ApprovalResult, type FailureDecision } from './messages';
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
}

const WEFT_STATUS = SEARCH_ATTRIBUTE_KEYS.status;

/** Only upsert when the run was started with Weft's search attributes (so the server knows them). */
function setStatusAttribute(state: string): void {
  if (workflowInfo().typedSearchAttributes.get(WEFT_STATUS) !== undefined) {
    upsertSearchAttributes([{ key: WEFT_STATUS, value: state }]);
  }
}

export async function dagRun(args: DagRunArgs): Promise<unknown> {
  const dag = toCompiled(args.dag);
  const runner = new DagRunner(dag, args.input ?? null, args.options, args.reuse, args.carried);
  setHandler(statusQuery, (opts) => runner.getStatus(opts));
  setHandler(
    approvalUpdate,
    (d): ApprovalResult => {
      runner.decide(d);
      return { node: d.node, decision: d.decision, at: new Date().toISOString() };
    },
    { validator: (d: ApprovalDecision) => runner.validateDecision(d) },
  );
  setHandler(
    resolveFailureUpdate,
    (d: FailureDecision) => {
      runner.resolveFailure(d);
      return { node: d.node, action: d.action, at: new Date().toISOString() };
    },
    { validator: (d: FailureDecision) => runner.validateFailureDecision(d) },
  );
  setHandler(approvalSignal, (d) => {
    try {
      runner.validateDecision(d);
      runner.decide(d);
    } catch {
      // A signal cannot be answered; the update form reports why a decision was refused.
    }
  });
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
