/**
 * The Temporal connection settings that the Temporal CLI reads: the TEMPORAL_*
 * environment variables and the profiles of its TOML file
 * (`TEMPORAL_CONFIG_FILE`, else `~/.config/temporalio/temporal.toml`).
 * @temporalio/envconfig reads both, so `weft` and `temporal` reach the same
 * cluster from one set of settings instead of two that drift apart.
 *
 * Each reader returns one layer of Weft's config (`temporal.*` paths) and the
 * source of each value, so load.ts can stack the layers and name the source
 * of a bad value.
 */
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';

type Plain = Record<string, unknown>;

export interface ConfigLayer {
  values: Plain;
  /** Dotted config path → where its value came from. */
  sources: Map<string, string>;
}

/** Where each `temporal.*` setting comes from in the environment, for messages. */
const ENV_SOURCES: Readonly<Record<string, string>> = {
  address: 'env TEMPORAL_ADDRESS',
  namespace: 'env TEMPORAL_NAMESPACE',
  apiKey: 'env TEMPORAL_API_KEY',
  tls: 'env TEMPORAL_TLS*',
  grpcMeta: 'env TEMPORAL_GRPC_META_*',
  profile: 'env TEMPORAL_PROFILE',
};

export class TemporalProfileError extends Error {
  override readonly name = 'TemporalProfileError';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(message);
  }
}

/** Empty variables count as unset, as they do for Weft's own variables. */
function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

function dataText(source: ConfigDataSource): string {
  return 'path' in source ? source.path : typeof source.data === 'string' ? source.data : new TextDecoder().decode(source.data);
}

/** Each TLS file may be given as a path or inline PEM data, as the Temporal CLI allows. */
function pemSetting(key: string, source: ConfigDataSource | undefined): Plain {
  if (!source) return {};
  return 'path' in source ? { [`${key}Path`]: source.path } : { [`${key}Data`]: dataText(source) };
}

/** envconfig's profile → Weft's `temporal` settings, keeping only what is set. */
function toWeftTemporal(profile: ClientConfigProfile): Plain {
  const out: Plain = {};
  if (profile.address) out.address = profile.address;
  if (profile.namespace) out.namespace = profile.namespace;
  if (profile.apiKey) out.apiKey = profile.apiKey;
  if (profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0) out.grpcMeta = { ...profile.grpcMeta };
  const tls = profile.tls;
  if (tls) {
    const details: Plain = {
      ...(tls.serverName ? { serverName: tls.serverName } : {}),
      ...pemSetting('serverRootCaCert', tls.serverCACert),
      ...pemSetting('clientCert', tls.clientCert),
      ...pemSetting('clientKey', tls.clientKey),
    };
    // `disabled = false` with nothing else means "TLS with the system roots".
    out.tls = tls.disabled === true ? false : Object.keys(details).length > 0 ? details : true;
  }
  return out;
}

function layer(profile: ClientConfigProfile, sourceOf: (key: string) => string): ConfigLayer {
  const temporal = toWeftTemporal(profile);
  const sources = new Map<string, string>();
  for (const [key, value] of Object.entries(temporal)) {
    const nested = typeof value === 'object' && value !== null ? Object.keys(value).map((k) => `temporal.${key}.${k}`) : [];
    for (const path of [`temporal.${key}`, ...nested]) sources.set(path, sourceOf(key));
  }
  return { values: Object.keys(temporal).length > 0 ? { temporal } : {}, sources };
}

/** TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_GRPC_META_*, TEMPORAL_PROFILE. */
export function temporalFromEnv(env: NodeJS.ProcessEnv): ConfigLayer {
  const vars = definedEnv(env);
  const profile = loadClientConfigProfile({ disableFile: true, overrideEnvVars: vars });
  const result = layer(profile, (key) => ENV_SOURCES[key] ?? 'env');
  if (vars.TEMPORAL_PROFILE) {
    result.values.temporal = { ...(result.values.temporal as Plain | undefined), profile: vars.TEMPORAL_PROFILE };
    result.sources.set('temporal.profile', ENV_SOURCES.profile!);
  }
  return result;
}

/**
 * One profile of the Temporal CLI's TOML file: `profileName`, or `default`.
 * No file, or no `default` profile, is an empty layer; a profile that was
 * asked for by name and is missing is an error.
 */
export function temporalFromProfile(env: NodeJS.ProcessEnv, profileName: string | undefined): ConfigLayer {
  const vars = definedEnv(env);
  const name = profileName ?? 'default';
  const where = vars.TEMPORAL_CONFIG_FILE ?? 'the Temporal CLI config file (temporal.toml)';
  let profile: ClientConfigProfile;
  try {
    // Without a name, envconfig would fall back to TEMPORAL_PROFILE; load.ts has already weighed that against the flags and the file.
    const { TEMPORAL_PROFILE: _ignored, ...rest } = vars;
    profile = loadClientConfigProfile({ disableEnv: true, overrideEnvVars: rest, ...(profileName ? { profile: profileName } : {}) });
  } catch (err) {
    throw new TemporalProfileError(where, `cannot load Temporal profile "${name}": ${(err as Error).message}`);
  }
  return layer(profile, () => `Temporal profile "${name}" in ${where}`);
}
