/**
 * Reads configuration from explicit flags, the environment, an optional file
 * and the Temporal CLI's profile, in that order of precedence (flags > env >
 * file > profile > defaults), validates it once, and reports every problem
 * with where the bad value came from. The environment beats the file so that
 * a checked-in weft.config.yaml cannot override what a deployment sets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, type WeftConfig } from './schema';
import { PAYLOAD_ENV_VARS } from '../payloads/config';
import { temporalFromEnv, temporalFromProfile, TemporalProfileError, type ConfigLayer } from './temporal-profile';

type Plain = Record<string, unknown>;

/**
 * Weft's environment variable → config path. Lists split on commas. The
 * TEMPORAL_* variables are read by temporal-profile.ts, as the Temporal CLI reads them.
 */
export const ENV_VARS: Readonly<Record<string, { path: string; list?: boolean }>> = {
  WEFT_TASK_QUEUE: { path: 'taskQueue' },
  WEFT_DATA_DIR: { path: 'dataDir' },
  WEFT_DAGS_DIR: { path: 'dagsDir' },
  WEFT_ACTIVITY_MODULES: { path: 'activityModules', list: true },
  WEFT_IDEMPOTENCY_URL: { path: 'idempotency.url' },
  WEFT_API_PORT: { path: 'api.port' },
  WEFT_API_HOST: { path: 'api.host' },
  WEFT_API_TOKEN: { path: 'api.tokens', list: true },
  WEFT_API_MAX_STARTS_IN_FLIGHT: { path: 'api.starts.maxInFlight' },
  WEFT_API_MAX_STARTS_QUEUED: { path: 'api.starts.maxQueued' },
  WEFT_API_START_QUEUE_WAIT_MS: { path: 'api.starts.maxQueueWaitMs' },
  WEFT_LOG_LEVEL: { path: 'log.level' },
  WEFT_LOG_FORMAT: { path: 'log.format' },
  WEFT_WORKFLOW_STACK_TRACES: { path: 'worker.workflowStackTraces' },
  WEFT_JOBS_SHARDS: { path: 'jobs.shards' },
  ...PAYLOAD_ENV_VARS,
};

export const DEFAULT_CONFIG_FILES = ['weft.config.yaml', 'weft.config.yml', 'weft.config.json'];

export interface ConfigProblem {
  /** Dotted path in the config, e.g. `api.port`. */
  path: string;
  message: string;
  /** Where the value came from: a flag, a file, an environment variable, or a default. */
  source: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.path} (${p.source}): ${p.message}`).join('\n')}`);
  }
}

export interface LoadConfigOptions {
  /** Explicit options (from flags or code), as a partial config. Highest precedence. */
  overrides?: Plain;
  /** Labels for the override paths, e.g. `{ 'api.port': '--api-port' }`. */
  overrideSources?: Record<string, string>;
  /** Config file; when unset, `WEFT_CONFIG`, then the default names in `cwd`. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function setPath(target: Plain, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Plain;
  }
  node[keys[keys.length - 1]!] = value;
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof prev === 'object' && prev !== null && !Array.isArray(prev)) {
      out[key] = deepMerge(prev as Plain, value as Plain);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function leafPaths(obj: Plain, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? leafPaths(value as Plain, path) : [path];
  });
}

function readConfigFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '(file)', message: `cannot read config file: ${(err as Error).message}`, source: file }]);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([{ path: '(file)', message: `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`, source: file }]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ path: '(file)', message: 'expected a mapping of settings at the top level', source: file }]);
  }
  return parsed as Plain;
}

/** Where the value at `path` came from: its own source, else its parent's (`api.tokens.0` came with `api.tokens` from WEFT_API_TOKEN). */
function sourceOf(sources: ReadonlyMap<string, string>, path: string): string | undefined {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const found = sources.get(p);
    if (found) return found;
  }
  return undefined;
}

function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const values: Plain = {};
  const sources = new Map<string, string>();
  for (const [name, { path, list }] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(values, path, list ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw);
    sources.set(path, `env ${name}`);
  }
  const temporal = temporalFromEnv(env);
  return { values: deepMerge(values, temporal.values), sources: new Map([...sources, ...temporal.sources]) };
}

function fileLayer(opts: LoadConfigOptions, env: NodeJS.ProcessEnv, cwd: string): ConfigLayer {
  const explicitFile = opts.file ?? (env.WEFT_CONFIG || undefined);
  const file = explicitFile ? resolve(cwd, explicitFile) : DEFAULT_CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (!file) return { values: {}, sources: new Map() };
  if (explicitFile && !existsSync(file)) {
    throw new ConfigError([{ path: '(file)', message: 'config file does not exist', source: explicitFile }]);
  }
  const values = readConfigFile(file);
  return { values, sources: new Map(leafPaths(values).map((path) => [path, `file ${file}`])) };
}

function profileName(layers: readonly ConfigLayer[]): string | undefined {
  for (const { values } of layers) {
    const temporal = values.temporal as Plain | undefined;
    if (typeof temporal?.profile === 'string') return temporal.profile;
  }
  return undefined;
}

export function loadConfig(opts: LoadConfigOptions = {}): WeftConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();

  const overrides = opts.overrides ?? {};
  const flags: ConfigLayer = { values: overrides, sources: new Map(leafPaths(overrides).map((path) => [path, opts.overrideSources?.[path] ?? 'option'])) };
  const fromEnv = envLayer(env);
  const fromFile = fileLayer(opts, env, cwd);
  const name = profileName([flags, fromEnv, fromFile]);
  let fromProfile: ConfigLayer;
  try {
    fromProfile = temporalFromProfile(env, name);
  } catch (err) {
    if (!(err instanceof TemporalProfileError)) throw err;
    const source = [flags, fromEnv, fromFile].map((l) => l.sources.get('temporal.profile')).find(Boolean) ?? err.source;
    throw new ConfigError([{ path: 'temporal.profile', message: err.message, source }]);
  }

  // Lowest precedence first: each later layer overrides the one before, value by value.
  const layers = [fromProfile, fromFile, fromEnv, flags];
  const sources = new Map<string, string>(layers.flatMap((l) => [...l.sources]));
  const merged = layers.reduce<Plain>((acc, l) => deepMerge(acc, l.values), {});
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (path === '(root)' ? k : `${path}.${k}`)) : [];
      const source = sourceOf(sources, path) ?? (keys[0] ? sources.get(keys[0]) : undefined) ?? 'default';
      return { path: keys.length ? keys.join(', ') : path, message: issue.message, source };
    }),
  );
}
