/**
 * Recorded job shard histories (test/fixtures/jobs, recorded by record.ts in
 * that folder) replay against the current workflow bundle: shards in flight
 * when the worker is upgraded keep running. `shard-one-job-lane` was recorded
 * before the batch lane (`weft-jobs-batch-lane`), `shard-batch-lane` with it,
 * `shard-chained-waves` with waves chained in one workflow task (`weft-jobs-waves`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { Worker } from '@temporalio/worker';

const dir = join(__dirname, '..', '..', 'fixtures', 'jobs');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded job shard histories', () => {
  it('has both lanes and chained waves recorded', () => {
    expect(histories.sort()).toEqual(['shard-batch-lane.json', 'shard-chained-waves.json', 'shard-one-job-lane.json']);
  });

  for (const file of histories) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, `replay-${file}`);
    });
  }
});
