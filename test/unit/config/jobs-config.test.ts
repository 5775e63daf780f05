/** The job queue's shard count as a setting: config file, then WEFT_JOBS_SHARDS over it, checked with the source named. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-config-jobs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withFile = (yaml: string): string => {
  writeFileSync(join(dir, 'weft.config.yaml'), yaml);
  return dir;
};

function problems(f: () => unknown): ConfigError['problems'] {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('jobs.shards', () => {
  it('defaults to 4', () => {
    expect(loadConfig({ cwd: dir, env: {} }).jobs.shards).toBe(4);
  });

  it('comes from the config file, and WEFT_JOBS_SHARDS beats the file', () => {
    const cwd = withFile('jobs:\n  shards: 8\n');
    expect(loadConfig({ cwd, env: {} }).jobs.shards).toBe(8);
    expect(loadConfig({ cwd, env: { WEFT_JOBS_SHARDS: '16' } }).jobs.shards).toBe(16);
  });

  it.each(['0', '1025', '2.5', 'four'])('refuses WEFT_JOBS_SHARDS=%s, naming the setting, the variable and the bound', (value) => {
    expect(problems(() => loadConfig({ cwd: dir, env: { WEFT_JOBS_SHARDS: value } }))).toEqual([
      { path: 'jobs.shards', source: 'env WEFT_JOBS_SHARDS', message: expect.stringMatching(/from 1 to 1024/) },
    ]);
  });

  it('refuses an unknown field under jobs in the file', () => {
    const cwd = withFile('jobs:\n  shard: 8\n');
    expect(problems(() => loadConfig({ cwd, env: {} }))[0]).toMatchObject({ path: 'jobs.shard' });
  });
});
