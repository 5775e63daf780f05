/** Named DAGs: the definition files in the DAGs folder, looked up by their `name`. */
import { DagValidationError, type ActivityHeartbeats, type CompiledDag } from '../dag';
import { listDefinitions, type DefinitionFileReport } from './definitions';

export class DagNotFoundError extends Error {
  override readonly name = 'DagNotFoundError';
  constructor(
    readonly dag: string,
    readonly dagsDir: string,
    readonly known: readonly string[],
  ) {
    super(`no DAG named "${dag}" in ${dagsDir}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
}

export class DagCatalog {
  constructor(
    readonly dagsDir: string,
    private readonly activities?: Iterable<string>,
    /** Declared heartbeat timeouts by activity (compileDag's activityHeartbeats). */
    private readonly activityHeartbeats?: ActivityHeartbeats,
  ) {}

  /** Every definition file, valid or not. Edits show at once; unchanged files are not compiled again (see listDefinitions). */
  list(): DefinitionFileReport[] {
    return listDefinitions(this.dagsDir, { ...(this.activities ? { activities: this.activities } : {}), ...(this.activityHeartbeats ? { activityHeartbeats: this.activityHeartbeats } : {}) });
  }

  get(name: string): CompiledDag {
    const reports = this.list();
    const report = reports.find((r) => r.name === name);
    if (!report) throw new DagNotFoundError(name, this.dagsDir, reports.flatMap((r) => (r.name ? [r.name] : [])).sort());
    // A named DAG whose file is invalid is reported with its problems, not as missing.
    if (!report.ok || !report.dag) throw new DagValidationError(report.issues, report.file);
    return report.dag;
  }
}

/**
 * The catalog to look `dag` up in. Without a DAGs folder no name can be found,
 * and that is reported as the DAG not being found, the same way everywhere.
 */
export function requireCatalog(catalog: DagCatalog | undefined, dag: string): DagCatalog {
  if (!catalog) throw new DagNotFoundError(dag, '(no DAGs folder configured)', []);
  return catalog;
}
