/**
 * `npm run bench -- cli`: `weft --help`, `weft runs list` and `weft runs
 * status` as a user runs them (bin/weft, which runs dist/ when it is
 * current), against an in-memory dev server holding a few runs. Each side is
 * spawned under /usr/bin/time, alternating, one unmeasured warm-up each, and
 * the medians of wall time and of CPU time (user + system) are printed with
 * the load average. `node -e 0` is the floor.
 *
 * CPU time is the figure to read on a busy machine: wall time there is mostly
 * waiting for a core. On a quiet machine the two agree within a few percent.
 *
 * dist/ must be current (`npm run build`), or the dist sides are left out.
 * Flags: --runs N (default 7); --before DIR: also run the compiled CLI in DIR
 * (a dist/ built from an earlier commit) on the same commands, for a
 * before/after; --sources: also the sources through tsx (WEFT_CLI_SOURCE=1).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { flag, loadLine, median, numberFlag, rotate } from './stats';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'weft');

interface Side {
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** One run under /usr/bin/time: wall and user + system CPU of the command and its children. */
function time(side: Side, env: NodeJS.ProcessEnv): Sample {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, ...side.argv], { cwd: ROOT, env: { ...env, ...side.env }, encoding: 'utf8' });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${side.name} exited with ${r.status}: ${r.stderr}`);
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
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

/** The commands measured, each as `label` and argv after the program. */
const COMMANDS: ReadonlyArray<[string, string[]]> = [
  ['--help', ['--help']],
  ['runs list', ['runs', 'list']],
  ['runs status', ['runs', 'status', 'bench-cli-0']],
];

export async function runCliBench(args: string[]): Promise<void> {
  const runs = numberFlag(args, 'runs', 7);
  const before = flag(args, 'before', '');
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  try {
    const connection = await Connection.connect({ address: server.address });
    // A few closed runs, so `runs list` has rows to render and `runs status` a run to show.
    const client = new Client({ connection });
    for (let i = 0; i < 5; i++) {
      const h = await client.workflow.start('dagRun', { taskQueue: 'bench-cli', workflowId: `bench-cli-${i}`, args: [{}] });
      await h.terminate('benchmark fixture');
    }
    await connection.close();
    const env = { ...process.env, TEMPORAL_ADDRESS: server.address, WEFT_LOG_FORMAT: 'json' };
    const dist = distIsCurrent();
    if (!dist) console.log('dist/ is not current (run npm run build): the dist sides are left out');
    const sides: Side[] = [
      { name: 'node -e 0 (floor)', argv: ['-e', '0'] },
      ...(dist ? COMMANDS.map(([label, argv]) => ({ name: `${label}, dist`, argv: [BIN, ...argv] })) : []),
      ...(before ? COMMANDS.map(([label, argv]) => ({ name: `${label}, before`, argv: [join(resolve(before), 'cli', 'main.js'), ...argv] })) : []),
      ...(args.includes('--sources') || !dist ? COMMANDS.map(([label, argv]) => ({ name: `${label}, sources`, argv: [BIN, ...argv], env: { WEFT_CLI_SOURCE: '1' } })) : []),
    ];
    const samples = new Map<string, Sample[]>(sides.map((s) => [s.name, []]));
    for (const s of sides) time(s, env); // warm the page cache; not counted
    const loadBefore = loadLine();
    for (let r = 0; r < runs; r++) for (const s of rotate(sides, r)) samples.get(s.name)!.push(time(s, env));
    console.log(`\ncli: medians over ${runs} runs (load before ${loadBefore}, after ${loadLine()})`);
    console.log(`  ${'command'.padEnd(26)} ${'wall'.padStart(8)} ${'CPU'.padStart(8)}   CPU of each run`);
    for (const s of sides) {
      const xs = samples.get(s.name)!;
      const wall = median(xs.map((x) => x.wallMs));
      const cpu = median(xs.map((x) => x.cpuMs));
      console.log(`  ${s.name.padEnd(26)} ${wall.toFixed(0).padStart(5)} ms ${cpu.toFixed(0).padStart(5)} ms   (${xs.map((x) => x.cpuMs.toFixed(0)).join(', ')})`);
    }
  } finally {
    await server.stop();
  }
}
