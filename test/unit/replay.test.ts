/**
 * Replays recorded histories (the examples' DAG runs among them) against the
 * current workflow bundle: a change to the interpreter that would break runs
 * already in flight fails here, not in production.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { recordings } from '../fixtures/histories/recordings';

const dir = join(__dirname, '..', 'fixtures', 'histories');
type HistoryJson = { events: Array<Record<string, Record<string, unknown> | undefined>> };
const load = (name: string): HistoryJson => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as HistoryJson;
const replay = (history: unknown, id: string) => Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, id);

describe('replay of recorded histories', () => {
  it('has a recorded history for every recording', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(recordings.map((r) => `${r.name}.json`).sort());
  });

  for (const rec of recordings) {
    it(`replays ${rec.name} without nondeterminism`, async () => {
      await replay(load(rec.name), `replay-${rec.name}`);
    });
  }

  it('detects a history the current code would not produce', async () => {
    const history = load('image-pipeline');
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    scheduled.activityType = { name: 'images.somethingElse' };
    await expect(replay(history, 'replay-tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
