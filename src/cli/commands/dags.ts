/**
 * `weft dags validate|graph|list`: check definition files, draw them, and
 * list the DAGs folder. The work happens in src/client/definitions.ts and
 * src/dag; this file parses flags and renders.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createActivityRegistry } from '../../activities';
import { discoverActivityModules } from '../../workers/discover';
import { Option, type Command } from 'commander';
import { DefinitionsFolderError, inspectDefinitionFile, listDefinitions, loadDefinitionFile, type DefinitionFileReport, type LoadDefinitionOptions } from '../../client/definitions';
import { loadConfig } from '../../config/load';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../../dag/graph';
import { DagValidationError, type DagIssue } from '../../dag/validate';
import { CliError, EXIT } from '../exit-codes';
import { choiceOption } from '../options';
import { table } from '../render';

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function problemLines(file: string, issues: readonly DagIssue[]): string[] {
  return issues.map((i) => `${file}: ${i.path}: ${i.message}`);
}

export function registerDags(program: Command): void {
  const dags = program
    .command('dags')
    .description('Validate, draw and list DAG definitions (YAML or JSON files)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ weft dags validate examples/*.yaml\n  $ weft dags graph examples/image-pipeline.yaml --format dot | dot -Tsvg > pipeline.svg\n  $ weft dags list --json\n',
    );

  dags
    .command('validate')
    .description('Check definition files and print every problem with its path; exit 1 if any is invalid')
    .argument('<files...>', 'definition files (*.yaml, *.yml, *.json), or folders of them')
    .option('--json', 'print a JSON array: [{file, ok, name, issues: [{path, code, message}]}]')
    .addHelpText(
      'after',
      '\nEach problem prints as "file: path: message". Exit codes: 0 all valid, 1 any invalid, 2 bad arguments.\n\n' +
        'Examples:\n  $ weft dags validate examples/image-pipeline.yaml\n  $ weft dags validate examples/\n  $ weft dags validate dags/*.yaml --json | jq \'.[] | select(.ok | not)\'\n',
    )
    .option('--check-activities', 'also report activities no worker would have: the built-ins, config activityModules, and activities.ts|js next to the DAGs')
    .option('--config <file>', 'config file, for activityModules with --check-activities')
    .action(async (files: string[], flags: { json?: boolean; checkActivities?: boolean; config?: string }) => {
      process.exitCode = runValidate(files, flags, flags.checkActivities ? await registryOptions(files, flags) : {});
    });

  dags
    .command('graph')
    .description('Print the graph of a DAG as Mermaid or Graphviz DOT')
    .argument('<file>', 'definition file (*.yaml, *.yml, *.json)')
    .addOption(new Option('--format <format>', `output format: ${GRAPH_FORMATS.join(' or ')}`).default('mermaid').argParser(choiceOption('--format', GRAPH_FORMATS)))
    .addHelpText(
      'after',
      '\nMermaid renders in GitHub and GitLab Markdown (```mermaid); DOT renders with Graphviz.\n\n' +
        'Examples:\n  $ weft dags graph examples/image-pipeline.yaml\n  $ weft dags graph examples/image-pipeline.yaml --format dot | dot -Tpng > pipeline.png\n',
    )
    .action((file: string, flags: { format: GraphFormat }) => {
      process.exitCode = runGraph(file, flags.format);
    });

  dags
    .command('list')
    .description('List the DAG definitions in the DAGs folder (config dagsDir, default examples), with their validity')
    .option('--dir <dir>', 'folder to list instead of the configured dagsDir (env WEFT_DAGS_DIR)')
    .option('--config <file>', 'config file (default weft.config.yaml|json if present)')
    .option('--json', 'print a JSON array: [{file, ok, name, description, nodes, issues}]')
    .addHelpText('after', '\nSubfolders are searched too; a YAML or JSON file is listed when it has a "nodes" field.\n\nExamples:\n  $ weft dags list\n  $ weft dags list --dir dags --json\n')
    .action((flags: { dir?: string; config?: string; json?: boolean }) => {
      process.exitCode = runList(flags);
    });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Files are checked as given; a folder stands for the definitions in it. */
function reportsFor(path: string, opts: LoadDefinitionOptions): DefinitionFileReport[] {
  if (!isFolder(path)) return [inspectDefinitionFile(path, opts)];
  const found = listDefinitions(path, opts);
  if (found.length > 0) return found;
  return [{ file: path, ok: false, nodes: 0, issues: [{ path: '(file)', code: 'unreadable', message: 'no DAG definitions (*.yaml, *.yml, *.json with a "nodes" field) in this folder' }] }];
}

/**
 * The registry a worker would serve these files with: the built-ins, config
 * activityModules, and the activities.ts|js next to each DAG (as weft dev loads
 * them). Its names and declared heartbeats, so the files compile as weft dev compiles them.
 */
async function registryOptions(paths: string[], flags: { config?: string }): Promise<LoadDefinitionOptions> {
  const config = loadConfig({ file: flags.config });
  const folders = [...new Set(paths.map((p) => (isFolder(p) ? p : dirname(p))))];
  const discovered = folders.flatMap((f) => [...discoverActivityModules(f), ...discoverActivityModules(dirname(f))]);
  const registry = await createActivityRegistry({ modules: [...new Set([...config.activityModules, ...discovered])] });
  return { activities: registry.names(), activityHeartbeats: registry.heartbeatTimeouts() };
}

function runValidate(paths: string[], flags: { json?: boolean }, opts: LoadDefinitionOptions): number {
  const reports = paths.flatMap((p) => reportsFor(p, opts));
  const invalid = reports.filter((r) => !r.ok);
  if (flags.json) {
    out(JSON.stringify(reports.map((r) => ({ file: r.file, ok: r.ok, ...(r.name ? { name: r.name } : {}), issues: r.issues })), null, 2));
  } else {
    for (const r of reports) {
      if (r.ok) out(`${r.file}: ok (${r.name}, ${plural(r.nodes, 'node')})`);
      else problemLines(r.file, r.issues).forEach((line) => out(line));
    }
    if (reports.length > 1 || invalid.length > 0) {
      const problems = invalid.reduce((n, r) => n + r.issues.length, 0);
      out(`${plural(reports.length, 'file')} checked: ${reports.length - invalid.length} valid, ${invalid.length} invalid${problems ? ` (${plural(problems, 'problem')})` : ''}`);
    }
  }
  return invalid.length > 0 ? EXIT.FAILURE : EXIT.OK;
}

function runGraph(file: string, format: GraphFormat): number {
  try {
    out(renderGraph(loadDefinitionFile(file), format));
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof DagValidationError)) throw e;
    problemLines(file, e.issues).forEach(err);
    err(`weft: cannot draw ${file}: it is not a valid DAG (${plural(e.issues.length, 'problem')}); see \`weft dags validate ${file}\``);
    return EXIT.FAILURE;
  }
}

function runList(flags: { dir?: string; config?: string; json?: boolean }): number {
  const config = loadConfig({ file: flags.config, overrides: flags.dir ? { dagsDir: flags.dir } : {}, overrideSources: { dagsDir: '--dir' } });
  const dir = config.dagsDir;
  let reports: DefinitionFileReport[];
  try {
    reports = listDefinitions(dir);
  } catch (e) {
    if (!(e instanceof DefinitionsFolderError)) throw e;
    const from = flags.dir ? 'from --dir' : 'the dagsDir setting; change it with --dir, dagsDir in weft.config.yaml, or WEFT_DAGS_DIR';
    throw new CliError(`${e.message} (${from})`, EXIT.NOT_FOUND);
  }
  if (flags.json) {
    const rows = reports.map((r) => ({
      file: r.file,
      ok: r.ok,
      ...(r.name ? { name: r.name } : {}),
      ...(r.description ? { description: r.description } : {}),
      nodes: r.nodes,
      ...(r.dag ? { hash: r.dag.hash } : {}),
      issues: r.issues,
    }));
    out(JSON.stringify(rows, null, 2));
    return EXIT.OK;
  }
  if (reports.length === 0) {
    out(`No DAG definitions in ${dir} (looked for *.yaml, *.yml and *.json files with a "nodes" field).`);
    return EXIT.OK;
  }
  const rows = [['NAME', 'NODES', 'STATUS', 'FILE', 'DESCRIPTION']];
  for (const r of reports) {
    rows.push([r.name ?? '-', String(r.nodes), r.ok ? 'valid' : `invalid (${plural(r.issues.length, 'problem')})`, r.file, (r.description ?? '').replace(/\s+/g, ' ').trim()]);
  }
  table(rows).forEach((line) => out(line));
  const invalid = reports.filter((r) => !r.ok).length;
  if (invalid > 0) out(`\n${plural(invalid, 'invalid definition')}; see the problems with: weft dags validate ${dir}`);
  return EXIT.OK;
}
