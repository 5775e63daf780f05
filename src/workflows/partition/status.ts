/**
 * One status for a partitioned run. The parent's status query knows every
 * node of the partitions that ended; the nodes of the running partition are
 * known only to its child, so a client that wants the live picture asks the
 * child too and merges the answer here (WeftClient.getRun does). Pure.
 */
import type { PartitionStatus, RunStatus } from '../messages';

/** The partitions whose nodes the parent cannot show yet. */
export function runningPartitions(status: RunStatus): PartitionStatus[] {
  return status.partitions?.filter((p) => p.state === 'running') ?? [];
}

/**
 * Puts the child's statuses of its own nodes (the last `end - start` of its
 * list: stubs of imported nodes come first) in place of the parent's, and
 * recounts. The parent's list is in DAG order, so the partition's nodes are
 * the slice [start, end).
 */
export function mergePartitionStatus(status: RunStatus, partition: PartitionStatus, child: RunStatus): void {
  const own = partition.end - partition.start;
  const nodes = child.nodes.slice(child.nodes.length - own);
  for (let i = 0; i < nodes.length; i++) {
    const at = partition.start + i;
    const before = status.nodes[at];
    const after = nodes[i]!;
    if (!before || before.id !== after.id) continue;
    status.counts[before.state]--;
    status.counts[after.state]++;
    status.nodes[at] = after;
  }
}
