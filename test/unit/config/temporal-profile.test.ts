/**
 * Weft reads the Temporal CLI's settings through @temporalio/envconfig: its
 * TOML profiles and TEMPORAL_* variables, under Weft's own flags, env and file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionOptions } from '../../../src/client/connection';
import { ConfigError, loadConfig } from '../../../src/config/load';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const TOML = `
[profile.default]
address = "toml-default:7233"
namespace = "toml-ns"

[profile.prod]
address = "prod.tmprl.cloud:7233"
namespace = "prod.acct"
api_key = "prod-key"

[profile.prod.tls]
server_name = "prod.tmprl.cloud"
server_ca_cert_data = """${CA}"""

[profile.prod.grpc_meta]
x-tenant = "blue"
`;

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-profile-'));
  writeFileSync(join(dir, 'temporal.toml'), TOML);
  // HOME points into the scratch folder, so a developer's own temporal.toml never leaks in.
  env = { HOME: dir, TEMPORAL_CONFIG_FILE: join(dir, 'temporal.toml') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const load = (extraEnv: NodeJS.ProcessEnv = {}, weftYaml?: string) => {
  if (weftYaml !== undefined) writeFileSync(join(dir, 'weft.config.yaml'), weftYaml);
  return loadConfig({ cwd: dir, env: { ...env, ...extraEnv } });
};

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('Temporal CLI profiles', () => {
  it('the default profile supplies the connection when nothing else does', () => {
    expect(load().temporal).toMatchObject({ address: 'toml-default:7233', namespace: 'toml-ns', tls: false });
  });

  it('TEMPORAL_PROFILE selects a profile, with its API key, TLS and gRPC metadata', () => {
    const { temporal } = load({ TEMPORAL_PROFILE: 'prod' });
    expect(temporal).toMatchObject({ profile: 'prod', address: 'prod.tmprl.cloud:7233', namespace: 'prod.acct', apiKey: 'prod-key', grpcMeta: { 'x-tenant': 'blue' } });
    expect(temporal.tls).toEqual({ serverName: 'prod.tmprl.cloud', serverRootCaCertData: CA });
    const options = connectionOptions(temporal);
    expect(options.metadata).toEqual({ 'x-tenant': 'blue' });
    expect(options.tls).toEqual({ serverNameOverride: 'prod.tmprl.cloud', serverRootCACertificate: Buffer.from(CA) });
  });

  it('the config file names a profile, and TEMPORAL_PROFILE overrides it', () => {
    expect(load({}, 'temporal:\n  profile: prod\n').temporal.address).toBe('prod.tmprl.cloud:7233');
    expect(load({ TEMPORAL_PROFILE: 'default' }, 'temporal:\n  profile: prod\n').temporal.address).toBe('toml-default:7233');
  });

  it('the config file overrides the profile, and TEMPORAL_* variables override both', () => {
    expect(load({}, 'temporal:\n  namespace: from-file\n').temporal).toMatchObject({ address: 'toml-default:7233', namespace: 'from-file' });
    expect(load({ TEMPORAL_NAMESPACE: 'from-env' }, 'temporal:\n  namespace: from-file\n').temporal.namespace).toBe('from-env');
  });

  it('a profile asked for by name that does not exist is an error naming the key and where the name came from', () => {
    expect(problemsOf(() => load({ TEMPORAL_PROFILE: 'staging' }))).toEqual([
      expect.objectContaining({ path: 'temporal.profile', source: 'env TEMPORAL_PROFILE', message: expect.stringContaining('"staging"') }),
    ]);
  });

  it('a profile file that is not TOML is an error naming the file', () => {
    writeFileSync(join(dir, 'temporal.toml'), '[profile.default\naddress = ');
    const [problem] = problemsOf(() => load());
    expect(problem).toMatchObject({ path: 'temporal.profile', source: join(dir, 'temporal.toml') });
  });

  it('no Temporal config file at all leaves the defaults', () => {
    const config = loadConfig({ cwd: dir, env: { HOME: join(dir, 'nowhere') } });
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', tls: false, grpcMeta: {} });
  });
});

describe('TEMPORAL_* environment variables, as the Temporal CLI reads them', () => {
  it('TEMPORAL_API_KEY turns TLS on, and TEMPORAL_TLS=false turns it off again', () => {
    expect(load({ TEMPORAL_API_KEY: 'k' }).temporal).toMatchObject({ apiKey: 'k', tls: true });
    expect(load({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).temporal.tls).toBe(false);
  });

  it('TEMPORAL_TLS_* variables give the TLS files, and TEMPORAL_GRPC_META_* the metadata', () => {
    const { temporal } = load({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/certs/k.pem', TEMPORAL_GRPC_META_X_REGION: 'eu' });
    expect(temporal.tls).toEqual({ clientCertPath: '/certs/c.pem', clientKeyPath: '/certs/k.pem' });
    expect(temporal.grpcMeta).toEqual({ 'x-region': 'eu' });
  });

  it('a bad TEMPORAL_ADDRESS is reported with its variable', () => {
    expect(problemsOf(() => load({ TEMPORAL_ADDRESS: 'no-port' }))).toEqual([expect.objectContaining({ path: 'temporal.address', source: 'env TEMPORAL_ADDRESS' })]);
  });

  it('TLS files that cannot be read are reported with the setting that names them', () => {
    const { temporal } = load({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') });
    expect(problemsOf(() => connectionOptions(temporal))).toEqual([expect.objectContaining({ path: 'temporal.tls.serverRootCaCertPath' })]);
  });
});
