/**
 * No Docker engine runs here, so the compose file is checked as data: it
 * parses, has the services the README promises, wires them to each other, and
 * every long-running service has a health check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  volumes?: string[];
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const s = compose.services;

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, the Temporal UI, Weft workers and the Weft API', () => {
    expect(Object.keys(s).sort()).toEqual(['postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'weft-api', 'weft-worker']);
    expect(s.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(s['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('publishes Temporal on 7233, the UI on 8233 and the API on 8080', () => {
    expect(s.temporal!.ports).toEqual(['7233:7233']);
    expect(s['temporal-ui']!.ports).toEqual(['8233:8233']);
    expect(s['weft-api']!.ports).toEqual(['8080:8080']);
  });

  it('runs more than one worker replica, and points workers and API at Temporal and PostgreSQL', () => {
    expect(s['weft-worker']!.deploy!.replicas).toBeGreaterThan(1);
    for (const name of ['weft-worker', 'weft-api']) {
      expect(s[name]!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(s[name]!.environment!.WEFT_IDEMPOTENCY_URL).toMatch(/^postgres:\/\/.*@postgresql:5432\//);
    }
    expect(s['weft-worker']!.command![0]).toBe('worker');
    expect(s['weft-api']!.command![0]).toBe('api');
    expect(s['weft-api']!.environment!.WEFT_API_TOKEN).toContain('WEFT_API_TOKEN:?');
  });

  it('starts each service after what it needs is healthy, and health-checks the long-running ones', () => {
    expect(s.temporal!.depends_on!.postgresql!.condition).toBe('service_healthy');
    expect(s['temporal-setup']!.depends_on!.temporal!.condition).toBe('service_healthy');
    expect(s['weft-worker']!.depends_on!['temporal-setup']!.condition).toBe('service_completed_successfully');
    for (const name of ['postgresql', 'temporal', 'weft-worker', 'weft-api']) expect(s[name]!.healthcheck?.test.length).toBeGreaterThan(0);
  });

  it('mounts files that exist in the repository', () => {
    for (const svc of Object.values(s)) {
      for (const v of svc.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (host.startsWith('./')) expect(existsSync(join(root, host)), host).toBe(true);
      }
    }
  });

  it('builds from a Dockerfile whose entrypoint is the weft CLI', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(s['weft-worker']!.build).toBe('.');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "--require", "tsx\/cjs", "dist\/cli\/main.js"\]/);
    expect(dockerfile).toContain('npm run build');
  });
});
