/**
 * The large-export example, through a worker built exactly as `weft worker`
 * builds it (createWeftWorker: codec and claim check on by default).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, inject } from 'vitest';
import pino from 'pino';
import { createWeftClient } from '../../src/client';
import { loadConfig } from '../../src/config/load';
import { createWeftWorker } from '../../src/workers/worker';
import { uniqueId } from '../../test/helpers/temporal';
import { exportRows } from './activities';

const dataDir = mkdtempSync(join(tmpdir(), 'weft-large-export-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('example: large-export', () => {
  it('moves a multi-megabyte output between nodes through the claim check, keeping only a reference in history', async () => {
    const config = loadConfig({
      env: {},
      overrides: { temporal: { address: inject('temporalAddress') }, taskQueue: uniqueId('export'), dataDir, dagsDir: join(__dirname, '..'), activityModules: ['./examples/large-export/activities.ts'] },
    });
    const weftWorker = await createWeftWorker({ config, logger: pino({ level: 'warn' }) });
    const running = weftWorker.worker.run();
    const weft = await createWeftClient({ config });
    try {
      const id = uniqueId('export');
      await weft.startRun({ dag: 'large-export', id, input: { rows: 60_000 } });
      const result = (await weft.temporal.workflow.getHandle(id).result()) as { upload: { rows: number; sha256: string } };
      const expected = (await exportRows.handler({ rows: 60_000 }, {} as never)) as unknown[];
      expect(JSON.stringify(expected).length).toBeGreaterThan(2_500_000);
      expect(result.upload).toEqual({ rows: 60_000, sha256: createHash('sha256').update(JSON.stringify(expected)).digest('hex') });
      const run = await weft.getRun(id, { outputs: true });
      const stored = run.status?.nodes[0]?.output as { __weftRef?: { size: number } } | undefined;
      expect(stored?.__weftRef?.size).toBeGreaterThan(2_500_000);
      expect(readdirSync(join(dataDir, 'blobs')).length).toBeGreaterThan(0);
    } finally {
      weftWorker.worker.shutdown();
      await running;
      await weftWorker.close();
      await weft.temporal.connection.close();
    }
  });
});
