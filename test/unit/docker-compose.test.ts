/**
 * No Docker engine runs here, so the compose file is checked as data: it
 * parses, has the services the README promises, wires them to each other, and
 * every long-running service has a health check. And it runs what the
 * production test layer ran (test/production): the same server version, server
 * config, dynamic config, schema and namespace scripts, and one container per
 * Temporal service.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/production/binaries';
import { DYNAMIC_CONFIG, SERVER_CONFIG, TEMPORAL_SERVICES } from '../../scripts/production/topology';
import { WEFT_SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

const root = join(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
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
    expect(Object.keys(s).sort()).toEqual(['postgresql', 'temporal', 'temporal-history', 'temporal-matching', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'temporal-worker', 'weft-api', 'weft-worker']);
    expect(s.temporal!.environment).toMatchObject({ TEMPORAL_DB_HOST: 'postgresql', TEMPORAL_DB_PORT: '5432' });
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
    expect(s['temporal-schema']!.depends_on!.postgresql!.condition).toBe('service_healthy');
    expect(s.temporal!.depends_on!['temporal-schema']!.condition).toBe('service_completed_successfully');
    // The setup script waits for the frontend's health itself (the server image has no CLI to probe with).
    expect(s['temporal-setup']!.depends_on!.temporal!.condition).toBe('service_started');
    expect(s['weft-worker']!.depends_on!['temporal-setup']!.condition).toBe('service_completed_successfully');
    for (const name of ['postgresql', 'weft-worker', 'weft-api']) expect(s[name]!.healthcheck?.test.length).toBeGreaterThan(0);
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

  describe('runs what the production test layer ran', () => {
    const serviceOf = (name: string): string | undefined => /--service (\w+)/.exec(s[name]!.command?.[0] ?? '')?.[1];
    const temporalContainers = Object.keys(s).filter((n) => serviceOf(n) !== undefined);
    const template = readFileSync(join(root, SERVER_CONFIG.file), 'utf8');
    const templateVars = new Set([...template.matchAll(/env "(\w+)"/g)].map((m) => m[1]));

    it('one container per Temporal service, as the layer runs one process per service', () => {
      expect(temporalContainers.map(serviceOf).sort()).toEqual([...TEMPORAL_SERVICES].sort());
    });

    it(`the server and admin-tools images are the version the layer builds (${TEMPORAL_SERVER_VERSION})`, () => {
      for (const n of temporalContainers) expect(s[n]!.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION.slice(1)}`);
      for (const n of ['temporal-schema', 'temporal-setup']) expect(s[n]!.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION.slice(1)}`);
    });

    it('every service mounts the server config and dynamic config the layer runs, and starts with its env', () => {
      for (const n of temporalContainers) {
        expect(s[n]!.volumes).toContain(`./${SERVER_CONFIG.file}:/etc/temporal/${SERVER_CONFIG.mountedAt}:ro`);
        expect(s[n]!.volumes).toContain(`./${DYNAMIC_CONFIG.file}:/etc/temporal/${DYNAMIC_CONFIG.mountedAt}:ro`);
        expect(s[n]!.command![0]).toContain(`--root /etc/temporal --config config --env ${SERVER_CONFIG.env}`);
      }
      // The config's default dynamic-config path is where compose mounts it.
      expect(template).toContain(`default "${DYNAMIC_CONFIG.mountedAt}"`);
    });

    it('sets only variables the server config reads, and the persistence it needs', () => {
      for (const n of temporalContainers) {
        for (const k of Object.keys(s[n]!.environment ?? {})) expect(templateVars, `${n}: ${k}`).toContain(k);
        expect(s[n]!.environment).toMatchObject({ TEMPORAL_DB_HOST: 'postgresql', TEMPORAL_DB_USER: s.postgresql!.environment!.POSTGRES_USER, TEMPORAL_DB_PASSWORD: s.postgresql!.environment!.POSTGRES_PASSWORD });
      }
      expect(template).toMatch(/pluginName: postgres12[\s\S]*pluginName: postgres12/);
    });

    it('sets up the schema and the namespace with the scripts the layer runs', () => {
      expect(s['temporal-schema']!.entrypoint).toEqual(['sh', '/weft/temporal-schema.sh']);
      expect(s['temporal-setup']!.entrypoint).toEqual(['sh', '/weft/temporal-namespace.sh']);
      for (const n of ['temporal-schema', 'temporal-setup']) expect(s[n]!.volumes).toContain('./scripts/production:/weft:ro');
    });

    it("registers every one of Weft's search attributes, with its type", () => {
      const script = readFileSync(join(root, 'scripts', 'production', 'temporal-namespace.sh'), 'utf8');
      const registered = Object.fromEntries([...script.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => [m[1], m[2]]));
      expect(registered).toEqual(WEFT_SEARCH_ATTRIBUTES);
    });
  });
});
