/**
 * deploy/k8s against the Kubernetes schemas with kubeconform (strict, offline),
 * through the same script CI can run on its own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cluster';

const validate = (...files: string[]) => spawnSync('bash', [join(REPO_ROOT, 'scripts', 'production', 'validate-manifests.sh'), ...files], { encoding: 'utf8', cwd: REPO_ROOT });

describe('Kubernetes manifests', () => {
  it('are valid against the Kubernetes schemas, unknown fields included', () => {
    const r = validate();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Valid: \d+, Invalid: 0, Errors: 0/);
  });

  it('the validator rejects a Deployment with a misspelt field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-k8s-'));
    try {
      const bad = readFileSync(join(REPO_ROOT, 'deploy', 'k8s', 'worker.yaml'), 'utf8').replace('terminationGracePeriodSeconds', 'terminationGracePeriodSecond');
      writeFileSync(join(dir, 'worker.yaml'), bad);
      const r = validate(join(dir, 'worker.yaml'));
      expect(r.status).not.toBe(0);
      expect(r.stdout).toContain("additional properties 'terminationGracePeriodSecond' not allowed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
