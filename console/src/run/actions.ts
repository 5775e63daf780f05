/**
 * The actions the console offers, each one existing API route. Each returns
 * the sentence the dialog shows as its result.
 */
import { api, enc } from '../api';
import type { ActionRequest } from '../ui/ActionDialog';

export function approveAction(runId: string, node: string, decision: 'approve' | 'reject'): ActionRequest {
  return {
    title: `${decision === 'approve' ? 'Approve' : 'Reject'} ${node}`,
    description: decision === 'approve' ? `The run continues past ${node}.` : `${node} fails, and the run applies its onFailure policy.`,
    confirmLabel: decision === 'approve' ? 'Approve' : 'Reject',
    withReason: true,
    danger: decision === 'reject',
    run: async (reason) => {
      const r = await api<{ decision: string; at: string }>('POST', `/v1/runs/${enc(runId)}/nodes/${enc(node)}/${decision}`, { ...(reason ? { reason } : {}), by: 'console' });
      return `${node}: ${r.decision === 'approve' ? 'approved' : 'rejected'} at ${new Date(r.at).toLocaleTimeString()}.`;
    },
  };
}

export function resolveAction(runId: string, node: string, action: 'retry' | 'skip' | 'abort'): ActionRequest {
  const what = { retry: 'runs the node again', skip: 'marks the node skipped and goes on', abort: 'lets the node fail' }[action];
  return {
    title: `${action[0]!.toUpperCase()}${action.slice(1)} ${node}`,
    description: `${node} failed and waits for a decision. This ${what}.`,
    confirmLabel: action,
    withReason: true,
    danger: action === 'abort',
    run: async (reason) => {
      const r = await api<{ action: string; at: string }>('POST', `/v1/runs/${enc(runId)}/nodes/${enc(node)}/resolve`, { action, ...(reason ? { reason } : {}), by: 'console' });
      return `${node}: ${r.action} accepted at ${new Date(r.at).toLocaleTimeString()}.`;
    },
  };
}

export function cancelAction(runId: string): ActionRequest {
  return {
    title: `Cancel ${runId}`,
    description: 'Activities in flight are cancelled; compensations run if the DAG has onFailure: compensate.',
    confirmLabel: 'Cancel the run',
    danger: true,
    run: async () => {
      await api('POST', `/v1/runs/${enc(runId)}/cancel`);
      return 'Cancellation requested.';
    },
  };
}

export function retryFromFailedAction(runId: string): ActionRequest {
  return {
    title: `Retry ${runId} from failed`,
    description: 'Failed and skipped nodes run again under the same idempotency keys; nodes that succeeded keep their outputs.',
    confirmLabel: 'Retry from failed',
    run: async () => {
      const r = await api<{ runId: string; reused: string[] }>('POST', `/v1/runs/${enc(runId)}/retry`, { fromFailed: true });
      return `Started a new execution (${r.runId.slice(0, 8)}…), reusing ${r.reused.length} node output${r.reused.length === 1 ? '' : 's'}.`;
    },
  };
}
