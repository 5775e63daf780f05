/**
 * Precedence of configuration, highest first: flags > environment > config
 * file > defaults. A checked-in weft.config.yaml must not beat a deployment's
 * environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withFile = (yaml: string): string => {
  writeFileSync(join(dir, 'weft.config.yaml'), yaml);
  return dir;
};

describe('config precedence: flags > env > file > defaults', () => {
  it('the environment overrides the config file', () => {
    const cwd = withFile('temporal:\n  address: file-host:7233\ntaskQueue: from-file\n');
    const config = loadConfig({ cwd, env: { TEMPORAL_ADDRESS: 'env-host:7233', WEFT_TASK_QUEUE: 'from-env' } });
    expect(config.temporal.address).toBe('env-host:7233');
    expect(config.taskQueue).toBe('from-env');
  });

  it('flags override the environment and the file', () => {
    const cwd = withFile('temporal:\n  address: file-host:7233\n');
    const config = loadConfig({ cwd, env: { TEMPORAL_ADDRESS: 'env-host:7233' }, overrides: { temporal: { address: 'flag-host:7233' } } });
    expect(config.temporal.address).toBe('flag-host:7233');
  });

  it('the file fills what the environment leaves unset, over the defaults', () => {
    const cwd = withFile('temporal:\n  namespace: from-file\n');
    const config = loadConfig({ cwd, env: { TEMPORAL_ADDRESS: 'env-host:7233' } });
    expect(config.temporal).toMatchObject({ address: 'env-host:7233', namespace: 'from-file' });
    expect(config.dagsDir).toBe('examples');
  });

  it('an empty environment variable counts as unset, so the file value stays', () => {
    const cwd = withFile('taskQueue: from-file\n');
    expect(loadConfig({ cwd, env: { WEFT_TASK_QUEUE: '' } }).taskQueue).toBe('from-file');
  });

  it('a bad value is reported with the source that won: the environment over the file', () => {
    const cwd = withFile('api:\n  port: 8081\n');
    let error: unknown;
    try {
      loadConfig({ cwd, env: { WEFT_API_PORT: 'eighty' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.objectContaining({ path: 'api.port', source: 'env WEFT_API_PORT' })]);
  });
});
