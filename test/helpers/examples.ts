/** Workers and clients for the example DAGs in examples/, on a real server. */
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivityRegistry } from '../../src/activities';
import { WeftClient } from '../../src/client/weft-client';
import { discoverActivityModules } from '../../src/workers/discover';
import { dagWorker, type ActivityFn, type DagWorker } from './dag';
import { REPO_ROOT } from './cli';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** A worker with the built-ins and every example's activities, and a client that starts examples by name. */
export async function exampleWorker(env: TestWorkflowEnvironment, opts: { searchAttributes?: boolean } = {}): Promise<DagWorker & { weft: WeftClient }> {
  const registry = await createActivityRegistry({ modules: discoverActivityModules(EXAMPLES_DIR, REPO_ROOT), baseDir: REPO_ROOT });
  const w = await dagWorker(env, registry.toWorkerActivities() as Record<string, ActivityFn>);
  const weft = new WeftClient(env.client, { taskQueue: w.taskQueue, dagsDir: EXAMPLES_DIR, activities: registry.names(), searchAttributes: opts.searchAttributes ?? true });
  return { ...w, weft };
}
