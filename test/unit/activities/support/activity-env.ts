/** A MockActivityEnvironment with a node's identity, and quiet SDK logs. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { uniqueId } from '../../../helpers/temporal';

export interface NodeIdentity {
  workflowId: string;
  activityId: string;
}

export function activityEnv(identity: Partial<NodeIdentity> = {}): MockActivityEnvironment & { identity: NodeIdentity } {
  const workflowId = identity.workflowId ?? uniqueId('wf');
  const activityId = identity.activityId ?? 'node';
  const env = new MockActivityEnvironment(
    { activityId, workflowExecution: { workflowId, runId: '00000000-0000-4000-8000-000000000000' } },
    // The SDK logs every failed activity as a warning; these tests fail activities on purpose.
    { logger: new DefaultLogger('ERROR') },
  );
  return Object.assign(env, { identity: { workflowId, activityId } });
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
