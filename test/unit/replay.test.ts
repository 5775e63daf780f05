/**
 * Replays recorded histories against the current workflow bundle: a change
 * that makes existing runs nondeterministic fails here, not in production.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { recordings } from '../fixtures/histories/recordings';

const dir = join(__dirname, '..', 'fixtures', 'histories');

describe('replay of recorded histories', () => {
  it('has a recorded history for every recording', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(recordings.map((r) => `${r.name}.json`).sort());
  });

  for (const rec of recordings) {
    it(`replays ${rec.name} without nondeterminism`, async () => {
      const history: unknown = JSON.parse(readFileSync(join(dir, `${rec.name}.json`), 'utf8'));
      await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, `replay-${rec.name}`);
    });
  }
});
