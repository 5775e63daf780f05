/**
 * The Temporal server and its SQL tool, built with `go install` at the pinned
 * version from the Go module proxy and cached outside the clone, next to the
 * CLI that src/temporal/servers.ts caches (`$XDG_CACHE_HOME/weft`, else
 * `~/.cache/weft`). Nothing is downloaded at run time once cached.
 *
 * TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH point at existing binaries instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../src/temporal/servers';

/** Also the version of the images docker-compose.yml runs (a unit test checks). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** Whether this call had to build them (a cold layer). */
  built: boolean;
}

export class ServerBuildError extends Error {
  override readonly name = 'ServerBuildError';
  constructor(
    readonly detail: string,
    readonly remedy: string,
  ) {
    super(`Cannot provide the Temporal server ${TEMPORAL_SERVER_VERSION}: ${detail}\n${remedy}`);
  }
}

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** Finds the cached binaries, or builds both in one `go install` (they share most packages). */
export async function ensureServerBinaries(progress: (m: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<ServerBinaries> {
  if (env.TEMPORAL_SERVER_PATH || env.TEMPORAL_SQL_TOOL_PATH) {
    const server = env.TEMPORAL_SERVER_PATH ?? '';
    const sqlTool = env.TEMPORAL_SQL_TOOL_PATH ?? '';
    for (const [name, p] of [['TEMPORAL_SERVER_PATH', server], ['TEMPORAL_SQL_TOOL_PATH', sqlTool]] as const) {
      if (!p || !existsSync(p)) throw new ServerBuildError(`${name}=${p || '(unset)'} does not exist`, 'Set both TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH, or neither.');
    }
    return { server, sqlTool, built: false };
  }
  const dir = serverCacheDir(env);
  const server = join(dir, 'server');
  const sqlTool = join(dir, 'sql');
  if (existsSync(server) && existsSync(sqlTool)) return { server, sqlTool, built: false };
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new ServerBuildError('it is not cached and Go is not installed to build it', `Install Go 1.23+, or build it elsewhere: GOBIN=${dir} go install go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION} go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`);
  }
  // Build into a scratch dir and rename, so an interrupted build never looks cached.
  const scratch = join(dir, `.build-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  progress(`building the Temporal server and SQL tool ${TEMPORAL_SERVER_VERSION} with Go into ${dir} (about 15 minutes, once)`);
  const started = Date.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('go', ['install', `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`], {
        env: { ...env, GOBIN: scratch, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let tail = '';
      child.stderr.on('data', (b: Buffer) => void (tail = (tail + b.toString()).slice(-4000)));
      // go install is silent while it compiles; say it is alive.
      const tick = setInterval(() => progress(`go install still building (${Math.round((Date.now() - started) / 1000)}s)`), 60_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearInterval(tick);
        if (code === 0) resolve();
        else reject(new ServerBuildError(`go install exited with ${code}:\n${tail}`, 'Check that the Go module proxy is reachable (GOPROXY).'));
      });
    });
    renameSync(join(scratch, 'server'), server);
    renameSync(join(scratch, 'sql'), sqlTool);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  progress(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  return { server, sqlTool, built: true };
}
