/**
 * `npm run bench -- start-by-name`: CPU per start by name, with a DAGs folder
 * of 50 definitions (the examples' DAGs, copied under new names), against an
 * in-memory dev server with no worker (a start only has to be accepted).
 *
 * Two sides, alternating, medians of the rounds: "cached" is WeftClient as it
 * is; "uncached" clears the definitions cache before every start, which is
 * what each start cost before the cache (read and compile the whole folder).
 * CPU is this process's user + system time (process.cpuUsage), which
 * includes the gRPC client's work, divided by the number of starts.
 *
 * Flags: --rounds N (default 5), --starts N per round and side (default 100).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { WeftClient } from '../src/client/weft-client';
import { clearDefinitionsCache } from '../src/client/definitions';
import { validateRunInput } from '../src/client/input-schema';
import { startDevServer } from '../src/temporal/dev-server';
import { requireTemporalCli } from '../src/temporal/servers';
import { loadLine, median, numberFlag } from './stats';

const DEFINITIONS = 50;

/** 50 definition files made from the examples' DAGs, each renamed so every name is unique. */
function writeDagsFolder(dir: string): string[] {
  const examples = join(__dirname, '..', 'examples');
  const sources = readdirSync(examples)
    .map((d) => join(examples, d, 'dag.yaml'))
    .filter((f) => existsSync(f));
  const names: string[] = [];
  for (let i = 0; i < DEFINITIONS; i++) {
    const text = readFileSync(sources[i % sources.length]!, 'utf8');
    const name = `bench-${i}`;
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'dag.yaml'), text.replace(/^name: .*$/m, `name: ${name}`));
    names.push(name);
  }
  return names;
}

async function cpuPerStart(weft: WeftClient, names: string[], starts: number, clearEachTime: boolean): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < starts; i++) {
    if (clearEachTime) clearDefinitionsCache();
    const name = names[i % names.length]!;
    // A delayed start: the run is accepted and waits, so no worker is needed and nothing runs.
    await weft.startRun({ dag: name, input: {}, delay: '1h' });
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / starts;
}

export async function runStartByName(args: string[]): Promise<void> {
  const rounds = numberFlag(args, 'rounds', 5);
  const starts = numberFlag(args, 'starts', 100);
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-dags-'));
  const cli = await requireTemporalCli({ progress: console.log });
  const server = await startDevServer({ cliPath: cli.path });
  const connection = await Connection.connect({ address: server.address });
  try {
    const names = writeDagsFolder(dir);
    // Files written this instant are not trusted by the cache (see listDefinitions); age them as a real folder is.
    const past = new Date(Date.now() - 60_000);
    for (const n of names) utimesSync(join(dir, n, 'dag.yaml'), past, past);
    const weft = new WeftClient(new Client({ connection }), { dagsDir: dir, taskQueue: 'bench-start-by-name', searchAttributes: false });
    // Starts go to the DAGs whose input schema accepts {}; all 50 files are still listed on every start.
    const startable = names.filter((n) => {
      try {
        validateRunInput(weft.catalog!.get(n), {});
        return true;
      } catch {
        return false;
      }
    });
    await cpuPerStart(weft, startable, 20, false);
    const side = { cached: [] as number[], uncached: [] as number[] };
    console.log(`start-by-name: ${DEFINITIONS} definitions (${startable.length} startable with input {}), ${starts} starts per side and round, load ${loadLine()}`);
    for (let r = 0; r < rounds; r++) {
      for (const uncached of r % 2 === 0 ? [false, true] : [true, false]) {
        const ms = await cpuPerStart(weft, startable, starts, uncached);
        (uncached ? side.uncached : side.cached).push(ms);
        console.log(`  round ${r + 1} ${uncached ? 'uncached' : 'cached  '} ${ms.toFixed(2)} ms CPU per start`);
      }
    }
    // The lookup alone, without the start: what is left of the folder's cost.
    const before = process.cpuUsage();
    for (let i = 0; i < 1000; i++) weft.catalog!.get(startable[i % startable.length]!);
    const lookup = process.cpuUsage(before);
    console.log(`\nstart-by-name: median CPU per start over ${rounds} rounds (load ${loadLine()})`);
    console.log(`  cached (as shipped)      ${median(side.cached).toFixed(2)} ms`);
    console.log(`  uncached (before cache)  ${median(side.uncached).toFixed(2)} ms`);
    console.log(`  cached lookup alone      ${((lookup.user + lookup.system) / 1000 / 1000).toFixed(3)} ms (catalog.get, 1,000 calls)`);
  } finally {
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
