/**
 * The status query and the decision messages of one run machine, shared by
 * `dagRun` (a whole run) and `dagPartition` (one partition of a large run).
 * A partition also takes failure decisions as a signal: that is how its
 * parent forwards them, since a workflow can signal another but not update it.
 */
import { setHandler, type SignalDefinition } from '@temporalio/workflow';
import { approvalSignal, approvalUpdate, resolveFailureUpdate, statusQuery, type ApprovalDecision, type ApprovalResult, type FailureDecision } from '../messages';
import type { DagRunner } from '../runner';

export function registerRunHandlers(runner: DagRunner, o: { failureSignal?: SignalDefinition<[FailureDecision]> } = {}): void {
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
  if (o.failureSignal) {
    setHandler(o.failureSignal, (d) => {
      try {
        runner.validateFailureDecision(d);
        runner.resolveFailure(d);
      } catch {
        // As for approvals: a signal cannot be answered.
      }
    });
  }
}

