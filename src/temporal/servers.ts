/**
 * Finds or builds the two real Temporal servers Weft runs against, without
 * downloading anything at run time:
 *
 * - the Temporal CLI (its `server start-dev` is the dev server), built with
 *   `go install` from the Go module proxy when it is not already available;
 * - the Java time-skipping test server, whose runtime classpath Maven copies
 *   from Maven Central.
 *
 * Both are cached outside the clone (`$XDG_CACHE_HOME/weft`, else
 * `~/.cache/weft`) so repeated runs and fresh clones reuse them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, chmodSync, readdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Tags from v1.6 carry a replace directive that breaks `go install …@version`. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Newest `io.temporal:temporal-test-server` release on Maven Central when pinned. */
export const TEST_SERVER_VERSION = '1.38.0';

export type ProgressFn = (message: string) => void;

export interface ServerResolution {
  /** Absolute path of the executable. */
  path: string;
  /** Where it came from, for logs: env, PATH, cache or a fresh build. */
  source: 'env' | 'path' | 'cache' | 'built';
}

export class TemporalServerUnavailableError extends Error {
  override readonly name = 'TemporalServerUnavailableError';
  constructor(
    readonly server: 'temporal-cli' | 'test-server',
    readonly reasons: readonly string[],
    readonly remedy: string,
  ) {
    super(`Cannot provide the ${server === 'temporal-cli' ? 'Temporal CLI dev server' : 'Java time-skipping test server'}:\n` +
      reasons.map((r) => `  - ${r}`).join('\n') + `\n${remedy}`);
  }
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'weft');
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function hasCommand(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

/** Runs a command, forwarding each output line to `progress` with elapsed time. */
function runWithProgress(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string }, label: string, progress: ProgressFn): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail: string[] = [];
    const onData = (buf: Buffer): void => {
      // eslint-disable-next-line no-control-regex
      for (const line of buf.toString().replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
        const trimmed = line.trim();
        if (!trimmed) continue;
        tail = [...tail.slice(-19), trimmed];
        progress(`${label} [${Math.round((Date.now() - started) / 1000)}s] ${trimmed}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // go install is quiet while it compiles; say that it is still alive.
    const ticker = setInterval(() => progress(`${label} still running (${Math.round((Date.now() - started) / 1000)}s)`), 15_000);
    child.on('error', (err) => {
      clearInterval(ticker);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  progress?: ProgressFn;
  /** When false, only report what is available; never build. Default true. */
  build?: boolean;
}

/**
 * The Temporal CLI: `TEMPORAL_CLI_PATH`, else `temporal` on PATH, else the
 * cached build, else `go install` into the cache. Returns undefined only when
 * nothing is available and Go is missing, so callers can fall back to the
 * SDK's own download (which works on machines with internet).
 */
export async function resolveTemporalCli(opts: ResolveOptions = {}): Promise<ServerResolution | undefined> {
  const env = opts.env ?? process.env;
  const progress = opts.progress ?? (() => undefined);
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new TemporalServerUnavailableError('temporal-cli', [`TEMPORAL_CLI_PATH=${fromEnv} does not exist`], 'Point TEMPORAL_CLI_PATH at a Temporal CLI binary, or unset it.');
    }
    return { path: fromEnv, source: 'env' };
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) return { path: onPath, source: 'path' };
  const dir = join(cacheRoot(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  const cached = join(dir, 'temporal');
  if (existsSync(cached)) return { path: cached, source: 'cache' };
  if (opts.build === false) return undefined;
  if (!hasCommand('go', ['version'])) return undefined;
  mkdirSync(dir, { recursive: true });
  progress(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (a few minutes, once)`);
  // Build into a scratch dir and rename, so an interrupted build never looks cached.
  const scratch = join(dir, `.build-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  try {
    await runWithProgress('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], { env: { ...env, GOBIN: scratch } }, 'go install', progress);
    renameSync(join(scratch, 'temporal'), cached);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { path: cached, source: 'built' };
}

/** The wrapper script must `exec` java: core kills only the PID it spawned. */
function wrapperScript(libDir: string): string {
  return [
    '#!/bin/sh',
    '# Generated by weft: runs the Java time-skipping test server from its Maven classpath.',
    '# exec, so that the PID the Temporal SDK spawned is the JVM it will kill.',
    // Tiered compilation capped at C1 and a small heap make the JVM start and bind fastest.
    `exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp '${libDir}/*' io.temporal.testserver.TestServer "$@"`,
    '',
  ].join('\n');
}

function pomXml(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.weft</groupId>
  <artifactId>weft-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * The Java time-skipping test server: `TEMPORAL_TEST_SERVER_PATH`, else the
 * cached classpath and wrapper, else Maven copies the runtime classpath of
 * `io.temporal:temporal-test-server` into the cache.
 */
export async function resolveTestServer(opts: ResolveOptions = {}): Promise<ServerResolution | undefined> {
  const env = opts.env ?? process.env;
  const progress = opts.progress ?? (() => undefined);
  const fromEnv = env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new TemporalServerUnavailableError('test-server', [`TEMPORAL_TEST_SERVER_PATH=${fromEnv} does not exist`], 'Point TEMPORAL_TEST_SERVER_PATH at a test server executable, or unset it.');
    }
    return { path: fromEnv, source: 'env' };
  }
  const dir = join(cacheRoot(env), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const wrapper = join(dir, 'temporal-test-server');
  const libDir = join(dir, 'lib');
  if (existsSync(wrapper) && existsSync(libDir) && readdirSync(libDir).some((f) => f.startsWith('temporal-test-server'))) {
    return { path: wrapper, source: 'cache' };
  }
  if (opts.build === false) return undefined;
  if (!hasCommand('java', ['-version']) || !hasCommand('mvn', ['-v'])) return undefined;
  progress(`Fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} and its classpath with Maven into ${dir}`);
  const scratch = join(dir, `.build-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  try {
    writeFileSync(join(scratch, 'pom.xml'), pomXml());
    await runWithProgress(
      'mvn',
      ['-B', '-q', '-f', join(scratch, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(scratch, 'lib')}`],
      { env },
      'mvn',
      progress,
    );
    rmSync(libDir, { recursive: true, force: true });
    renameSync(join(scratch, 'lib'), libDir);
    writeFileSync(wrapper, wrapperScript(libDir));
    chmodSync(wrapper, 0o755);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { path: wrapper, source: 'built' };
}

/** Like {@link resolveTemporalCli}, but throws an actionable error when nothing works. */
export async function requireTemporalCli(opts: ResolveOptions = {}): Promise<ServerResolution> {
  const r = await resolveTemporalCli(opts);
  if (r) return r;
  throw new TemporalServerUnavailableError(
    'temporal-cli',
    ['TEMPORAL_CLI_PATH is not set', '`temporal` is not on PATH', `no cached build in ${join(cacheRoot(opts.env), `temporal-cli-${TEMPORAL_CLI_VERSION}`)}`, '`go` (>= 1.25) is not installed, so it cannot be built'],
    'Install Go (https://go.dev/dl) and rerun, or set TEMPORAL_CLI_PATH to a Temporal CLI binary, or install the Temporal CLI on PATH.',
  );
}

/** Like {@link resolveTestServer}, but throws an actionable error when nothing works. */
export async function requireTestServer(opts: ResolveOptions = {}): Promise<ServerResolution> {
  const r = await resolveTestServer(opts);
  if (r) return r;
  throw new TemporalServerUnavailableError(
    'test-server',
    ['TEMPORAL_TEST_SERVER_PATH is not set', `no cached classpath in ${join(cacheRoot(opts.env), `temporal-test-server-${TEST_SERVER_VERSION}`)}`, '`java` (17+) or `mvn` is not installed, so it cannot be fetched from Maven Central'],
    'Install Java 17+ and Maven and rerun, or set TEMPORAL_TEST_SERVER_PATH to a test server executable.',
  );
}
