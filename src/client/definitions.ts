/**
 * DAG definition files on disk: load one (read, parse, validate, compile), or
 * find every definition in a folder. Every problem, including a missing file
 * or a syntax error, is a DagValidationError whose `source` is the file.
 *
 * Listing a folder is on the path of every start by name, so each file's
 * compiled report is kept and reused while its stat (modification and change
 * time in nanoseconds, size, inode) stays the same: a listing costs a readdir
 * per folder and a stat per file, and only edited files are compiled again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileDag, type ActivityHeartbeats } from '../dag/compile';
import { DEFINITION_EXTENSIONS, parseDefinitionText } from '../dag/parse';
import type { CompiledDag } from '../dag/types';
import { DagValidationError, type DagIssue } from '../dag/validate';

export interface LoadDefinitionOptions {
  /** Registered activity names; when given, an unknown activity is an error. */
  activities?: Iterable<string>;
  /** Declared heartbeat timeouts by activity: they change compiled nodes (compileDag). */
  activityHeartbeats?: ActivityHeartbeats;
}

/** Reads and parses a definition file, without validating it. */
export function readDefinitionFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const message =
      e.code === 'ENOENT' ? 'file does not exist' : e.code === 'EISDIR' ? 'is a folder, not a definition file' : `cannot read the file: ${e.message}`;
    throw new DagValidationError([{ path: '(file)', code: 'unreadable', message }], file);
  }
  return parseDefinitionText(text, { filename: file });
}

/** Reads, validates and compiles a definition file. Throws DagValidationError naming the file. */
export function loadDefinitionFile(file: string, opts: LoadDefinitionOptions = {}): CompiledDag {
  return compileDag(readDefinitionFile(file), { ...opts, source: file });
}

/** What a definition file holds, valid or not. */
export interface DefinitionFileReport {
  file: string;
  ok: boolean;
  /** The DAG's name, when the file has one (even if the DAG is invalid). */
  name?: string;
  description?: string;
  /** Number of nodes in the definition (0 when it has none, or does not parse). */
  nodes: number;
  /** Every problem; empty when `ok`. */
  issues: DagIssue[];
  /** The compiled DAG, when `ok`. */
  dag?: CompiledDag;
}

function fieldsOf(raw: unknown): { name?: string; description?: string; nodes: number } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { nodes: 0 };
  const r = raw as Record<string, unknown>;
  return {
    ...(typeof r.name === 'string' ? { name: r.name } : {}),
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    nodes: Array.isArray(r.nodes) ? r.nodes.length : 0,
  };
}

function inspect(file: string, opts: LoadDefinitionOptions): { report: DefinitionFileReport; raw: unknown } {
  let raw: unknown;
  try {
    raw = readDefinitionFile(file);
    const dag = compileDag(raw, { ...opts, source: file });
    const report = { file, ok: true, name: dag.name, ...(dag.description ? { description: dag.description } : {}), nodes: dag.nodes.length, issues: [], dag };
    return { report, raw };
  } catch (err) {
    if (!(err instanceof DagValidationError)) throw err;
    return { report: { file, ok: false, ...fieldsOf(raw), issues: [...err.issues] }, raw };
  }
}

/** Checks one file and reports, instead of throwing. Errors other than DagValidationError still throw. */
export function inspectDefinitionFile(file: string, opts: LoadDefinitionOptions = {}): DefinitionFileReport {
  return inspect(file, opts).report;
}

/** The DAGs folder does not exist or is not a folder. */
export class DefinitionsFolderError extends Error {
  override readonly name = 'DefinitionsFolderError';
  constructor(
    readonly dir: string,
    readonly reason: 'missing' | 'not-a-folder',
  ) {
    super(reason === 'missing' ? `DAGs folder ${dir} does not exist` : `${dir} is not a folder`);
  }
}

export interface ListDefinitionsOptions extends LoadDefinitionOptions {
  /** How many folders deep to look (examples/<name>/dag.yaml is depth 1). @defaultValue 3 */
  maxDepth?: number;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

function isDefinitionName(name: string): boolean {
  const lower = name.toLowerCase();
  return DEFINITION_EXTENSIONS.some((ext) => lower.endsWith(ext)) && !lower.startsWith('weft.config.');
}

/** Candidate files under `dir`, sorted, relative paths joined onto `dir`. */
function candidateFiles(dir: string, depth: number): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    // A Kubernetes ConfigMap volume presents each file as a symlink: follow it.
    const kind = entry.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : entry;
    if (!kind) continue;
    if (kind.isDirectory()) {
      if (depth > 0 && !SKIP_DIRS.has(entry.name)) out.push(...candidateFiles(path, depth - 1));
    } else if (kind.isFile() && isDefinitionName(entry.name)) out.push(path);
  }
  return out;
}

/**
 * A YAML or JSON file is a DAG definition when it has a `nodes` field, so a
 * schedules file or package.json next to the DAGs is not listed. A file that
 * does not parse is listed (as invalid): it may be a DAG.
 */
function looksLikeDag(report: DefinitionFileReport, raw: unknown): boolean {
  if (!report.ok && report.issues.some((i) => i.code === 'syntax' || i.code === 'unreadable')) return true;
  return !!raw && typeof raw === 'object' && !Array.isArray(raw) && 'nodes' in raw;
}

interface CachedInspection {
  stamp: string;
  report: DefinitionFileReport;
  isDag: boolean;
}

/** Per folder, activity list and declared heartbeats: file → its last inspection. */
const inspections = new Map<string, Map<string, CachedInspection>>();
/** Folders whose inspections are kept; the oldest is dropped past this, so tests with temp folders don't grow it. */
const MAX_CACHED_FOLDERS = 16;

/**
 * File timestamps advance in clock ticks of a few milliseconds, so two writes
 * of the same size within one tick share a stamp. As git does with "racily
 * clean" files, a file modified this recently is compiled again each time
 * rather than trusted.
 */
const SETTLE_MS = 2000;

/**
 * Changes whenever the file's content can have changed. Undefined when the
 * file can't be stat'ed (inspect then reports why) or was modified too
 * recently for the stamp to be trusted.
 */
function stampOf(file: string): string | undefined {
  try {
    const st = statSync(file, { bigint: true });
    if (Date.now() - Number(st.mtimeMs) < SETTLE_MS) return undefined;
    return `${st.mtimeNs}:${st.ctimeNs}:${st.size}:${st.ino}`;
  } catch {
    return undefined;
  }
}

function cacheFor(dagsDir: string, opts: ListDefinitionsOptions): Map<string, CachedInspection> {
  const heartbeats = opts.activityHeartbeats ? JSON.stringify(Object.entries(opts.activityHeartbeats).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : '';
  const key = `${dagsDir}\0${opts.activities ? [...opts.activities].sort().join(',') : '*'}\0${heartbeats}`;
  let cache = inspections.get(key);
  if (!cache) {
    if (inspections.size >= MAX_CACHED_FOLDERS) inspections.delete(inspections.keys().next().value!);
    cache = new Map();
    inspections.set(key, cache);
  }
  return cache;
}

/** Forgets every cached inspection, so the next listing compiles every file. */
export function clearDefinitionsCache(): void {
  inspections.clear();
}

/**
 * Every DAG definition (*.yaml, *.yml, *.json) in `dagsDir` and its
 * subfolders, sorted by file, each with its validity and problems. Two files
 * with the same DAG name are both reported invalid: names must be unique.
 * Files unchanged since the last listing are not read or compiled again; the
 * compiled DAGs returned are shared between listings and must not be mutated.
 */
export function listDefinitions(dagsDir: string, opts: ListDefinitionsOptions = {}): DefinitionFileReport[] {
  let stat;
  try {
    stat = statSync(dagsDir);
  } catch {
    throw new DefinitionsFolderError(dagsDir, 'missing');
  }
  if (!stat.isDirectory()) throw new DefinitionsFolderError(dagsDir, 'not-a-folder');

  const cache = cacheFor(dagsDir, opts);
  const seen = new Set<string>();
  const reports: DefinitionFileReport[] = [];
  for (const file of candidateFiles(dagsDir, opts.maxDepth ?? 3)) {
    seen.add(file);
    // Stat before reading: a write after the stat changes the stamp, so the next listing reads again.
    const stamp = stampOf(file);
    let entry = stamp === undefined ? undefined : cache.get(file);
    if (!entry || entry.stamp !== stamp) {
      const { report, raw } = inspect(file, opts);
      entry = { stamp: stamp ?? '', report, isDag: looksLikeDag(report, raw) };
      if (stamp === undefined) cache.delete(file);
      else cache.set(file, entry);
    }
    // A copy: the duplicate-name pass below and callers change reports, never the cached one.
    if (entry.isDag) reports.push({ ...entry.report, issues: [...entry.report.issues] });
  }
  for (const file of cache.keys()) if (!seen.has(file)) cache.delete(file);

  const byName = new Map<string, DefinitionFileReport[]>();
  for (const r of reports) if (r.name) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    for (const r of same) {
      const others = same.filter((o) => o !== r).map((o) => o.file);
      r.ok = false;
      delete r.dag;
      r.issues.push({ path: 'name', code: 'duplicate_name', message: `DAG name "${name}" is also used by ${others.join(', ')}; names must be unique in ${dagsDir}` });
    }
  }
  return reports;
}
