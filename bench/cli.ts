/**
 * `npm run bench -- cli`: wall time of `weft --help` and `weft runs list`
 * (against an in-memory dev server with a few runs), as a user runs them
 * through bin/weft, from dist/ and from the sources, alternating, medians.
 * `node -e 0` is measured alongside as the floor, and "all commands" loads
 * every command module before parsing, as the CLI did before lazy loading.
 *
 * dist/ must be current (`npm run build`), or the dist side is left out.
 * Flags: --runs N (default 7).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { loadLine, median, numberFlag, rotate } from './stats';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'weft');

interface Side {
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

function time(side: Side, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, side.argv, { cwd: ROOT, env: { ...env, ...side.env }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${side.name} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** bin/weft's rule: dist/ is current when no source file is newer than the time its build started. */
function distIsCurrent(): boolean {
  const stamp = join(ROOT, 'dist', '.build-stamp');
  return existsSync(stamp) && newestMtime(join(ROOT, 'src')) <= Number(readFileSync(stamp, 'utf8'));
}

export async function runCliBench(args: string[]): Promise<void> {
  const runs = numberFlag(args, 'runs', 7);
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  try {
    const connection = await Connection.connect({ address: server.address });
    // A few closed runs, so `runs list` has rows to render.
    const client = new Client({ connection });
    for (let i = 0; i < 5; i++) {
      const h = await client.workflow.start('dagRun', { taskQueue: 'bench-cli', workflowId: `bench-cli-${i}`, args: [{}] });
      await h.terminate('benchmark fixture');
    }
    await connection.close();
    const env = { ...process.env, TEMPORAL_ADDRESS: server.address, WEFT_LOG_FORMAT: 'json' };
    const dist = distIsCurrent();
    // Help ends in a CommanderError with exit code 0 (the program uses exitOverride).
    const allCommands =
      "import('tsx').then(async () => { const m = require('./src/cli/main.ts'); await (await m.buildProgram()).parseAsync(process.argv).catch((e) => { if (e.exitCode !== 0) throw e; }); })";
    const sides: Side[] = [
      { name: 'node -e 0 (floor)', argv: ['-e', '0'] },
      ...(dist ? [{ name: '--help, dist', argv: [BIN, '--help'] }, { name: 'runs list, dist', argv: [BIN, 'runs', 'list'] }] : []),
      { name: '--help, sources', argv: [BIN, '--help'], env: { WEFT_CLI_SOURCE: '1' } },
      { name: 'runs list, sources', argv: [BIN, 'runs', 'list'], env: { WEFT_CLI_SOURCE: '1' } },
      { name: '--help, sources, all commands', argv: ['-e', allCommands, 'weft', '--help'] },
      { name: 'runs list, sources, all commands', argv: ['-e', allCommands, 'weft', 'runs', 'list'] },
    ];
    if (!dist) console.log('dist/ is not current (run npm run build): measuring the sources only');
    const times = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    for (const s of sides) time(s, env); // warm the page cache; not counted
    for (let r = 0; r < runs; r++) for (const s of rotate(sides, r)) times.get(s.name)!.push(time(s, env));
    console.log(`\ncli: median wall over ${runs} runs (load ${loadLine()})`);
    for (const s of sides) console.log(`  ${s.name.padEnd(34)} ${median(times.get(s.name)!).toFixed(0).padStart(6)} ms   (${times.get(s.name)!.map((t) => t.toFixed(0)).join(', ')})`);
  } finally {
    await server.stop();
  }
}
