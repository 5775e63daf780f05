/**
 * Worker tuning variants the `peers-worker` benchmark compares. Only the
 * benchmark passes them; `weft worker` keeps its own defaults until the
 * figures say which to change.
 */
import type { WorkerKnobs } from './temporal';

export interface WorkerVariant {
  name: string;
  knobs?: WorkerKnobs;
}

export function workerVariants(): WorkerVariant[] {
  return [
    { name: 'SDK defaults' },
    // Fewer workflow task slots than the default 40: on 2 cores more only queue for the same CPU.
    { name: 'wf slots 10', knobs: { maxConcurrentWorkflowTaskExecutions: 10 } },
    { name: 'wf slots 100, cache 2000', knobs: { maxConcurrentWorkflowTaskExecutions: 100, maxCachedWorkflows: 2000 } },
    // Autoscaling pollers: the SDK grows pollers while the queue has a backlog.
    {
      name: 'autoscaling pollers',
      knobs: {
        workflowTaskPollerBehavior: { type: 'autoscaling', minimum: 1, maximum: 20, initial: 5 },
        activityTaskPollerBehavior: { type: 'autoscaling', minimum: 1, maximum: 20, initial: 5 },
      },
    },
  ];
}
