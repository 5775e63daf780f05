/**
 * Records the histories listed in test/fixtures/histories/recordings.ts on
 * the time-skipping test server (so delays and approvals take no wall time).
 * It records only the runs whose file is missing: a recorded history stands
 * for runs in flight and must keep replaying. Add a recording (a new name)
 * when the interpreter changes what it records; pass names to re-record those.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivityRegistry } from '../src/activities';
import { WeftClient } from '../src/client/weft-client';
import { requireTestServer } from '../src/temporal/servers';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { discoverActivityModules } from '../src/workers/discover';
import { weftActivityInterceptor } from '../src/workers/interceptors';
import { approvalUpdate, statusQuery } from '../src/workflows/messages';
import { recordings } from '../test/fixtures/histories/recordings';
import * as smokeActivities from '../test/fixtures/activities/smoke';

const root = join(__dirname, '..');

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const testServer = await requireTestServer({ progress: console.log });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer.path } } });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-record-'));
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), join(root, 'test', 'fixtures', 'workflows'));
    const registry = await createActivityRegistry({ modules: discoverActivityModules(join(root, 'examples'), root), baseDir: root });
    const taskQueue = 'record-histories';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath },
      activities: { ...smokeActivities, ...registry.toWorkerActivities() },
      interceptors: { activity: [weftActivityInterceptor] },
    });
    const weft = new WeftClient(env.client, { taskQueue, dagsDir: join(root, 'examples'), searchAttributes: false });
    await worker.runUntil(async () => {
      const named = process.argv.slice(2);
      const todo = recordings.filter((r) => (named.length ? named.includes(r.name) : !existsSync(join(root, 'test', 'fixtures', 'histories', `${r.name}.json`))));
      for (const rec of todo) {
        const workflowId = `record-${rec.name}`;
        if (rec.kind === 'workflow') {
          await env.client.workflow.start(rec.workflowType, { args: rec.args, taskQueue, workflowId });
        } else {
          await weft.startRun({ dag: rec.dag, input: rec.input, id: workflowId });
        }
        const handle = env.client.workflow.getHandle(workflowId);
        if (rec.kind === 'dag' && rec.approve) {
          const approve = rec.approve;
          for (;;) {
            const s = await handle.query(statusQuery);
            if (s.nodes.find((n) => n.id === approve.node)?.reason?.startsWith('awaiting approval')) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          await handle.executeUpdate(approvalUpdate, { args: [approve] });
        }
        await handle.result().catch(() => undefined);
        const file = join(root, 'test', 'fixtures', 'histories', `${rec.name}.json`);
        writeFileSync(file, historyToJSON(await handle.fetchHistory()) + '\n');
        console.log(`recorded ${rec.name} -> ${file}`);
      }
    });
  } finally {
    await env.teardown();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
