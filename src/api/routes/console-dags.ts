/**
 * /v1/console/dags/:name/plan: a named DAG in its packed form, for the plan
 * view. GET /v1/dags/:name answers with the compiled DAG and its Mermaid
 * text: 33 MB for a 100,000-node DAG, which took seconds to send and a
 * 367 ms task to parse. The packed form (src/dag/pack.ts: defaults left out,
 * the common retry policy and timeouts stored once) is what runs are started
 * with, the console unpacks it with the same code, and its JSON is kept by
 * the DAG's hash, so only the first request of a DAG serialises it.
 */
import { relative } from 'node:path';
import { z } from 'zod';
import { DagNotFoundError, requireCatalog } from '../../client/catalog';
import { isPackedDag, packDag, type PackedDag } from '../../dag/pack';
import type { CompiledDag } from '../../dag';
import type { ApiContext } from '../context';
import { ApiError, ERROR_CODES } from '../errors';
import type { RouteTable } from '../route';
import { dagParamsSchema, errorResponseSchema } from '../schemas';

/** Most characters of DAG JSON kept, over all DAGs (about 64 MB of text). */
const MAX_CACHED_CHARS = 64 * 1024 * 1024;

/**
 * Packed DAGs as JSON text, by the DAG's hash (a hash names one definition
 * for good). The oldest go first once the total passes `maxChars`.
 */
export class PackedDagCache {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars = MAX_CACHED_CHARS) {}

  get(hash: string): string | undefined {
    const json = this.entries.get(hash);
    if (json !== undefined) {
      this.entries.delete(hash);
      this.entries.set(hash, json);
    }
    return json;
  }

  /** The JSON of `dag` packed, cached under its hash. */
  json(dag: CompiledDag | PackedDag): string {
    const hit = this.get(dag.hash);
    if (hit !== undefined) return hit;
    const json = JSON.stringify(isPackedDag(dag) ? dag : packDag(dag));
    if (json.length <= this.maxChars) {
      this.entries.set(dag.hash, json);
      this.chars += json.length;
      for (const [hash, j] of this.entries) {
        if (this.chars <= this.maxChars) break;
        this.entries.delete(hash);
        this.chars -= j.length;
      }
    }
    return json;
  }
}

const planSchema = z.object({
  name: z.string(),
  file: z.string(),
  dag: z.record(z.string(), z.unknown()).describe('The DAG in its packed form (format weft-dag/1): defaults left out, the common retry policy and timeouts under `common`'),
});

export function registerConsoleDagRoutes(table: RouteTable, { weft }: ApiContext, cache: PackedDagCache): void {
  table.add({
    method: 'GET',
    url: '/v1/console/dags/:name/plan',
    operationId: 'consoleDagPlan',
    tag: 'console',
    summary: 'A named DAG in its packed form, for drawing its plan',
    params: dagParamsSchema,
    responses: {
      200: { description: 'The packed DAG', schema: planSchema },
      404: { description: 'No DAG with this name', schema: errorResponseSchema },
      422: { description: 'The definition file with this name is invalid; `issues` lists its problems', schema: errorResponseSchema },
    },
    handler: async ({ params, reply }) => {
      const catalog = requireCatalog(weft.catalog, params.name);
      const reports = catalog.list();
      const report = reports.find((r) => r.name === params.name);
      if (!report) throw new DagNotFoundError(params.name, catalog.dagsDir, reports.flatMap((r) => (r.name ? [r.name] : [])).sort());
      if (!report.dag) throw new ApiError(422, ERROR_CODES.DAG_INVALID, `DAG ${params.name} (${relative(catalog.dagsDir, report.file)}) is invalid`, report.issues);
      const head = JSON.stringify({ name: report.dag.name, file: relative(catalog.dagsDir, report.file) });
      return reply.type('application/json; charset=utf-8').send(`${head.slice(0, -1)},"dag":${cache.json(report.dag)}}`);
    },
  });
}
