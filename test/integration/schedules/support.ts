/**
 * What the schedule specs share: a real worker for the fixture DAGs on its own
 * task queue, a WeftSchedules over the dev server, unique ids and an apply
 * group per test, schedules files written to a temporary folder, and clean-up
 * of every schedule a test made.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { ScheduleNotFoundError as TemporalScheduleNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stringify } from 'yaml';
import { WeftClient } from '../../../src/client';
import { WeftSchedules } from '../../../src/client/schedules';
import { dagWorker, Recorder } from '../../helpers/dag';
import { uniqueId } from '../../helpers/temporal';

export const FIXTURE_DAGS = join(__dirname, '..', '..', 'fixtures', 'schedules', 'dags');

/** A cron that does not fire while a test runs (midnight, 1 January). */
export const RARELY = '0 0 1 1 *';

export interface ScheduleTest {
  schedules: WeftSchedules;
  env: TestWorkflowEnvironment;
  taskQueue: string;
  recorder: Recorder;
  /** Apply group of this test, so a prune never reaches another test's schedules. */
  group: string;
  /** The DAGs folder (a copy, when the test edits DAGs). */
  dagsDir: string;
  /** A unique schedule id, deleted when the test finishes. */
  id(prefix?: string): string;
  /** Writes a schedules file with this test's group. */
  file(schedules: unknown[], name?: string): string;
}

async function deleteIfThere(env: TestWorkflowEnvironment, id: string): Promise<void> {
  try {
    await env.client.schedule.getHandle(id).delete();
  } catch (err) {
    if (!(err instanceof TemporalScheduleNotFoundError)) throw err;
  }
}

export async function scheduleTest(env: TestWorkflowEnvironment, opts: { copyDags?: boolean } = {}): Promise<ScheduleTest> {
  const recorder = new Recorder();
  const { taskQueue } = await dagWorker(env, { 'sched.echo': recorder.wrap('sched.echo') });
  const dir = mkdtempSync(join(tmpdir(), 'weft-schedules-'));
  const dagsDir = opts.copyDags ? join(dir, 'dags') : FIXTURE_DAGS;
  if (opts.copyDags) cpSync(FIXTURE_DAGS, dagsDir, { recursive: true });
  const schedules = new WeftSchedules(new WeftClient(env.client, { taskQueue, dagsDir }));
  const group = uniqueId('group');
  const ids: string[] = [];
  onTestFinished(async () => {
    await Promise.all(ids.map((id) => deleteIfThere(env, id)));
  });
  return {
    schedules,
    env,
    taskQueue,
    recorder,
    group,
    dagsDir,
    id(prefix = 'sched') {
      const id = uniqueId(prefix);
      ids.push(id);
      return id;
    },
    file(list, name = 'schedules.yaml') {
      const path = join(dir, name);
      writeFileSync(path, stringify({ group, schedules: list }));
      return path;
    },
  };
}

/** Polls `fn` until it returns something truthy (Temporal applies schedule actions and visibility asynchronously). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
