/**
 * `weft dev`'s durability is chosen (docs/dev-server.md): its SQLite file is
 * in WAL mode, and what the server acknowledged survives the server
 * process being killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, type DevServer } from '../../src/temporal/dev-server';
import { startEmbeddedTemporal } from '../../src/temporal/embedded';
import { uniqueId } from '../helpers/temporal';

let dataDir: string;
let server: DevServer | undefined;

const start = async (): Promise<DevServer> => (server = await startEmbeddedTemporal({ dataDir, port: await freePort(), uiPort: false }));

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'weft-dev-durability-'));
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('weft dev Temporal server', () => {
  it('keeps its SQLite file in WAL mode', async () => {
    await start();
    // journal_mode=wal is stored in the file itself, so a second reader sees it.
    const db = new Database(join(dataDir, 'temporal.db'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('keeps an acknowledged start when its process is killed', async () => {
    const first = await start();
    const workflowId = uniqueId('durable');
    const connection = await Connection.connect({ address: first.address });
    try {
      // Delayed, so that nothing needs a worker: the start alone must be durable.
      await new Client({ connection }).workflow.start('dagRun', { taskQueue: 'durability', workflowId, args: [{}], startDelay: '1 hour' });
    } finally {
      await connection.close();
    }
    process.kill(first.pid, 'SIGKILL');
    await first.stop();

    const second = await start();
    const again = await Connection.connect({ address: second.address });
    try {
      const described = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
      expect(described.status.name).toBe('RUNNING');
    } finally {
      await again.close();
    }
  });
});
