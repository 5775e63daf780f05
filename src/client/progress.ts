/**
 * Live attempts, errors and progress of running nodes. The interpreter knows
 * only what its activities have returned; attempts in flight and heartbeat
 * progress are visible only in the workflow's description, so they are merged
 * in here.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { NodeStatus, RunStatus } from '../workflows/messages';

/**
 * Heartbeat details go through the data converter like every payload, so with
 * a codec (WEFT_CODEC_KEY) they are encrypted or compressed on the server;
 * they must be decoded with the client's converter, not read as JSON.
 */
async function progressOf(converter: LoadedDataConverter, payloads: Parameters<typeof decodeFromPayloadsAtIndex>[2]): Promise<NodeStatus['progress']> {
  if (!payloads?.length) return undefined;
  let details: unknown;
  try {
    details = await decodeFromPayloadsAtIndex(converter, 0, payloads);
  } catch {
    // Details this client cannot decode (another key, another converter) are not Weft's progress to show.
    return undefined;
  }
  const p = (details as { progress?: unknown } | null)?.progress as NodeStatus['progress'] | undefined;
  return p && typeof p.done === 'number' && typeof p.total === 'number' ? p : undefined;
}

export async function enrichWithPendingActivities(status: RunStatus, desc: WorkflowExecutionDescription, converter: LoadedDataConverter): Promise<void> {
  const byId = new Map(status.nodes.map((n) => [n.id, n]));
  for (const pa of desc.raw.pendingActivities ?? []) {
    const node = byId.get((pa.activityId ?? '').split('/')[0]!);
    if (!node) continue;
    if (pa.attempt) node.attempts = Math.max(node.attempts ?? 0, pa.attempt);
    if (pa.lastFailure?.message) node.error = { message: pa.lastFailure.message, ...(pa.lastFailure.applicationFailureInfo?.type ? { type: pa.lastFailure.applicationFailureInfo.type } : {}) };
    const progress = await progressOf(converter, pa.heartbeatDetails?.payloads);
    if (progress) node.progress = progress;
  }
}
