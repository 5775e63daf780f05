/**
 * Records the histories listed in test/fixtures/histories/recordings.ts on a
 * throwaway dev server. Rerun it when a workflow change is meant to be
 * incompatible, and commit the new files with the change that needs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { requireTemporalCli } from '../src/temporal/servers';
import { startDevServer } from '../src/temporal/dev-server';
import { writeWorkflowBundle } from '../src/workers/bundle';
import { recordings } from '../test/fixtures/histories/recordings';
import * as smokeActivities from '../test/fixtures/activities/smoke';

async function main(): Promise<void> {
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const scratch = mkdtempSync(join(tmpdir(), 'weft-record-'));
  try {
    const codePath = await writeWorkflowBundle(join(scratch, 'bundle.js'), join(__dirname, '..', 'test', 'fixtures', 'workflows'));
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const taskQueue = 'record-histories';
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: server.address }),
      taskQueue,
      workflowBundle: { codePath },
      activities: { ...smokeActivities },
    });
    await worker.runUntil(async () => {
      for (const rec of recordings) {
        const handle = await client.workflow.start(rec.workflowType, { args: rec.args, taskQueue, workflowId: `record-${rec.name}` });
        await handle.result().catch(() => undefined);
        const file = join(__dirname, '..', 'test', 'fixtures', 'histories', `${rec.name}.json`);
        // The CLI writes the canonical proto JSON that Worker.runReplayHistory reads.
        const shown = spawnSync(cli.path, ['workflow', 'show', '--address', server.address, '--workflow-id', handle.workflowId, '--output', 'json'], { encoding: 'utf8' });
        if (shown.status !== 0) throw new Error(`temporal workflow show failed: ${shown.stderr}`);
        writeFileSync(file, shown.stdout);
        console.log(`recorded ${rec.name} -> ${file}`);
      }
    });
    await connection.close();
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
