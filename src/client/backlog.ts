/**
 * A task queue's backlog, read from Temporal's DescribeTaskQueue with
 * `reportStats`: the same approximate counts KEDA's `temporal` scaler reads,
 * so `weft queue status`, the API, the metrics gauge and the autoscaler agree.
 *
 * The server computes these stats per task-queue type (workflow tasks and
 * activity tasks are separate queues behind one name) and caches them for a
 * few seconds, so they are approximate and may lag a burst briefly.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const TaskQueueType = temporal.api.enums.v1.TaskQueueType;

/** The task-queue types a Weft worker polls. */
export const TASK_QUEUE_KINDS = ['workflow', 'activity'] as const;
export type TaskQueueKind = (typeof TASK_QUEUE_KINDS)[number];

const KIND_TO_TYPE: Record<TaskQueueKind, temporal.api.enums.v1.TaskQueueType> = {
  workflow: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
};

export interface TaskQueueTypeBacklog {
  kind: TaskQueueKind;
  /** Tasks waiting for a worker (approximate; includes tasks not yet dispatched to a poller). */
  backlogCount: number;
  /** Age of the oldest waiting task in ms; 0 when the backlog is empty. */
  backlogAgeMs: number;
  /** Tasks added per second, averaged by the server over its last window. */
  addRate: number;
  /** Tasks handed to workers per second, over the same window. */
  dispatchRate: number;
  /** Workers that polled this type recently: 0 means nobody serves it. */
  pollers: number;
}

export interface TaskQueueBacklog {
  taskQueue: string;
  namespace: string;
  /** One entry per requested type, in the order asked. */
  types: TaskQueueTypeBacklog[];
  /** Sum of the types' backlog counts: what an autoscaler compares with its target. */
  backlogCount: number;
  /** The oldest backlog age across the types, in ms. */
  backlogAgeMs: number;
  /** When the stats were read (ISO time). */
  readAt: string;
}

export class TaskQueueBacklogError extends Error {
  override readonly name = 'TaskQueueBacklogError';
  constructor(
    readonly taskQueue: string,
    override readonly cause: unknown,
  ) {
    super(`Cannot read the backlog of task queue "${taskQueue}": ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

type LongLike = number | { toNumber(): number } | null | undefined;
const toNumber = (v: LongLike): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** google.protobuf.Duration → ms. */
function durationMs(d: { seconds?: LongLike; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return toNumber(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

/**
 * Reads the backlog of `taskQueue`, one DescribeTaskQueue call per type (the
 * non-deprecated API mode reports stats for one type at a time).
 * @param kinds types to read. @defaultValue both workflow and activity
 */
export async function readTaskQueueBacklog(client: Client, taskQueue: string, kinds: readonly TaskQueueKind[] = TASK_QUEUE_KINDS): Promise<TaskQueueBacklog> {
  if (taskQueue.length === 0) throw new RangeError('taskQueue: expected a task queue name, got an empty string');
  const namespace = client.options.namespace;
  let types: TaskQueueTypeBacklog[];
  try {
    types = await Promise.all(
      kinds.map(async (kind): Promise<TaskQueueTypeBacklog> => {
        const res = await client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: KIND_TO_TYPE[kind],
          reportStats: true,
        });
        const s = res.stats;
        return {
          kind,
          backlogCount: toNumber(s?.approximateBacklogCount),
          backlogAgeMs: durationMs(s?.approximateBacklogAge),
          addRate: s?.tasksAddRate ?? 0,
          dispatchRate: s?.tasksDispatchRate ?? 0,
          pollers: res.pollers?.length ?? 0,
        };
      }),
    );
  } catch (err) {
    throw new TaskQueueBacklogError(taskQueue, err);
  }
  return {
    taskQueue,
    namespace,
    types,
    backlogCount: types.reduce((n, t) => n + t.backlogCount, 0),
    backlogAgeMs: types.reduce((n, t) => Math.max(n, t.backlogAgeMs), 0),
    readAt: new Date().toISOString(),
  };
}
