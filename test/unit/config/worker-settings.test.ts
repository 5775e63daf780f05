/** `worker.workflowStackTraces`: off by default, set from the file, the environment or a flag, and a bad value says where it came from. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-worker-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('worker.workflowStackTraces', () => {
  it('is off by default', () => {
    expect(loadConfig({ cwd: dir, env: {} }).worker.workflowStackTraces).toBe(false);
  });

  it.each([
    ['true', true],
    ['ON', true],
    ['1', true],
    ['false', false],
    ['off', false],
    ['0', false],
  ])('reads WEFT_WORKFLOW_STACK_TRACES=%s as %s', (value, expected) => {
    expect(loadConfig({ cwd: dir, env: { WEFT_WORKFLOW_STACK_TRACES: value } }).worker.workflowStackTraces).toBe(expected);
  });

  it('comes from the config file, and the environment beats the file, and a flag beats both', () => {
    writeFileSync(join(dir, 'weft.config.yaml'), 'worker:\n  workflowStackTraces: true\n');
    expect(loadConfig({ cwd: dir, env: {} }).worker.workflowStackTraces).toBe(true);
    expect(loadConfig({ cwd: dir, env: { WEFT_WORKFLOW_STACK_TRACES: 'false' } }).worker.workflowStackTraces).toBe(false);
    expect(loadConfig({ cwd: dir, env: { WEFT_WORKFLOW_STACK_TRACES: 'false' }, overrides: { worker: { workflowStackTraces: true } } }).worker.workflowStackTraces).toBe(true);
  });

  it('refuses a value that is not a boolean, naming the variable', () => {
    let err: unknown;
    try {
      loadConfig({ cwd: dir, env: { WEFT_WORKFLOW_STACK_TRACES: 'sometimes' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([{ path: 'worker.workflowStackTraces', message: 'expected true or false (or on/off, 1/0)', source: 'env WEFT_WORKFLOW_STACK_TRACES' }]);
  });

  it('refuses unknown keys under worker', () => {
    writeFileSync(join(dir, 'weft.config.yaml'), 'worker:\n  stackTraces: true\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/worker\.stackTraces/);
  });
});
