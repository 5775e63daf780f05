/** /v1/dags: the named DAGs of the DAGs folder, and one DAG with its graph. */
import { relative } from 'node:path';
import { DagNotFoundError, requireCatalog } from '../../client/catalog';
import type { DefinitionFileReport } from '../../client/definitions';
import { toMermaid } from '../../dag/graph';
import type { ApiContext } from '../context';
import { ApiError, ERROR_CODES } from '../errors';
import type { RouteTable } from '../route';
import { dagDetailSchema, dagListSchema, dagParamsSchema, errorResponseSchema } from '../schemas';

function summary(dagsDir: string, r: DefinitionFileReport) {
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    file: relative(dagsDir, r.file),
    nodes: r.nodes,
    ok: r.ok,
    issues: r.issues,
  };
}

export function registerDagRoutes(table: RouteTable, { weft }: ApiContext): void {
  table.add({
    method: 'GET',
    url: '/v1/dags',
    operationId: 'listDags',
    tag: 'dags',
    summary: 'The DAG definitions in the DAGs folder, valid or not',
    responses: { 200: { description: 'Every definition file, with its problems', schema: dagListSchema } },
    handler: async () => {
      const catalog = weft.catalog;
      return { dags: catalog ? catalog.list().map((r) => summary(catalog.dagsDir, r)) : [] };
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/dags/:name',
    operationId: 'getDag',
    tag: 'dags',
    summary: 'One DAG, compiled, with its graph as Mermaid',
    params: dagParamsSchema,
    responses: {
      200: { description: 'The compiled DAG and its graph', schema: dagDetailSchema },
      404: { description: 'No DAG with this name', schema: errorResponseSchema },
      422: { description: 'The definition file with this name is invalid; `issues` lists its problems', schema: errorResponseSchema },
    },
    handler: async ({ params }) => {
      const catalog = requireCatalog(weft.catalog, params.name);
      const reports = catalog.list();
      const report = reports.find((r) => r.name === params.name);
      if (!report) throw new DagNotFoundError(params.name, catalog.dagsDir, reports.flatMap((r) => (r.name ? [r.name] : [])).sort());
      if (!report.dag) {
        throw new ApiError(422, ERROR_CODES.DAG_INVALID, `DAG ${params.name} (${relative(catalog.dagsDir, report.file)}) is invalid`, report.issues);
      }
      return {
        name: report.dag.name,
        ...(report.dag.description !== undefined ? { description: report.dag.description } : {}),
        file: relative(catalog.dagsDir, report.file),
        dag: report.dag,
        mermaid: toMermaid(report.dag),
      };
    },
  });
}
