/**
 * /v1/console/dags/:name/plan: a named DAG for the plan view. GET
 * /v1/dags/:name answers with the compiled DAG and its Mermaid text: 33 MB
 * for a 100,000-node DAG, which took seconds to send and a 367 ms task to
 * parse. Here:
 *
 * - up to INLINE_NODES nodes, the DAG comes whole in its packed form
 *   (src/dag/pack.ts: defaults left out, the common retry policy and
 *   timeouts stored once), which the console unpacks with the same code;
 * - above that, the plan is virtual: the DAG's head and its layers (a count
 *   and a few ids each), and the nodes of a layer a page at a time
 *   (/plan/layers/:layer), so the browser holds what it shows and no more.
 *
 * Both are kept by the DAG's hash (a hash names one definition for good).
 */
import { relative } from 'node:path';
import { z } from 'zod';
import { DagNotFoundError, requireCatalog } from '../../client/catalog';
import { isPackedDag, packDag, type PackedDag } from '../../dag/pack';
import type { CompiledDag, CompiledNode } from '../../dag';
import { groupByLayer } from './console-layers';
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

/** Above this many nodes a plan is served by layers (the console draws at most this many as a graph). */
export const INLINE_NODES = 2000;
/** Ids shown beside a layer's count. */
const SAMPLE = 3;
/** Most nodes in one page of a layer. */
const MAX_PAGE = 500;
/** Large DAGs whose layers are kept. */
const MAX_INDEXES = 8;

interface LayerIndex {
  layers: string[][];
  byId: Map<string, CompiledNode>;
}

/** Layers of large DAGs, by hash; a few, as each holds a map of every node. */
const indexes = new Map<string, LayerIndex>();

function indexOf(dag: CompiledDag): LayerIndex {
  let index = indexes.get(dag.hash);
  if (!index) {
    index = { layers: groupByLayer(dag.nodes), byId: new Map(dag.nodes.map((n) => [n.id, n])) };
    indexes.set(dag.hash, index);
    for (const hash of indexes.keys()) if (indexes.size > MAX_INDEXES) indexes.delete(hash);
  } else {
    indexes.delete(dag.hash);
    indexes.set(dag.hash, index);
  }
  return index;
}

const headSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  hash: z.string(),
  inputSchema: z.record(z.string(), z.unknown()).optional(),
  concurrency: z.number(),
  onFailure: z.string(),
});

const planSchema = z.object({
  name: z.string(),
  file: z.string(),
  nodeCount: z.number(),
  dag: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(`Up to ${INLINE_NODES} nodes: the DAG in its packed form (format weft-dag/1): defaults left out, the common retry policy and timeouts under \`common\``),
  head: headSchema.optional().describe(`Above ${INLINE_NODES} nodes: the DAG without its nodes`),
  layers: z
    .array(z.object({ count: z.number(), sample: z.array(z.string()) }))
    .optional()
    .describe(`Above ${INLINE_NODES} nodes: each layer's node count and first ids; GET .../plan/layers/:layer gives its nodes`),
});

const layerParams = dagParamsSchema.extend({ layer: z.coerce.number().int().min(0).max(1_000_000) });
const pageQuery = z
  .object({
    offset: z.coerce.number().int().min(0).optional().describe('First node of the page; default 0'),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe(`Nodes in the page, 1 to ${MAX_PAGE}; default 200`),
  })
  .strict();

export function registerConsoleDagRoutes(table: RouteTable, { weft }: ApiContext, cache: PackedDagCache): void {
  /** The named DAG, compiled, with its file; the same errors as GET /v1/dags/:name. */
  function named(name: string): { dag: CompiledDag; file: string } {
    const catalog = requireCatalog(weft.catalog, name);
    const reports = catalog.list();
    const report = reports.find((r) => r.name === name);
    if (!report) throw new DagNotFoundError(name, catalog.dagsDir, reports.flatMap((r) => (r.name ? [r.name] : [])).sort());
    if (!report.dag) throw new ApiError(422, ERROR_CODES.DAG_INVALID, `DAG ${name} (${relative(catalog.dagsDir, report.file)}) is invalid`, report.issues);
    return { dag: report.dag, file: relative(catalog.dagsDir, report.file) };
  }

  const notFound = { description: 'No DAG with this name', schema: errorResponseSchema };
  const invalid = { description: 'The definition file with this name is invalid; `issues` lists its problems', schema: errorResponseSchema };

  table.add({
    method: 'GET',
    url: '/v1/console/dags/:name/plan',
    operationId: 'consoleDagPlan',
    tag: 'console',
    summary: `A named DAG for drawing its plan: whole and packed up to ${INLINE_NODES} nodes, by layers above`,
    params: dagParamsSchema,
    responses: { 200: { description: 'The plan', schema: planSchema }, 404: notFound, 422: invalid },
    handler: async ({ params, reply }) => {
      const { dag, file } = named(params.name);
      if (dag.nodes.length <= INLINE_NODES) {
        const head = JSON.stringify({ name: dag.name, file, nodeCount: dag.nodes.length });
        return reply.type('application/json; charset=utf-8').send(`${head.slice(0, -1)},"dag":${cache.json(dag)}}`);
      }
      const { nodes: _nodes, formatVersion: _v, output: _o, ...head } = dag;
      return {
        name: dag.name,
        file,
        nodeCount: dag.nodes.length,
        head,
        layers: indexOf(dag).layers.map((ids) => ({ count: ids.length, sample: ids.slice(0, SAMPLE) })),
      };
    },
  });

  table.add({
    method: 'GET',
    url: '/v1/console/dags/:name/plan/layers/:layer',
    operationId: 'consoleDagPlanLayer',
    tag: 'console',
    summary: "One page of a layer's nodes, compiled, in the order of the DAG",
    params: layerParams,
    query: pageQuery,
    responses: {
      200: { description: 'The page', schema: z.object({ layer: z.number(), total: z.number(), offset: z.number(), nodes: z.array(z.record(z.string(), z.unknown())) }) },
      404: { description: 'No DAG with this name, or no such layer', schema: errorResponseSchema },
      422: invalid,
    },
    handler: async ({ params, query }) => {
      const { dag } = named(params.name);
      const index = indexOf(dag);
      const ids = index.layers[params.layer];
      if (!ids) throw new ApiError(404, ERROR_CODES.NOT_FOUND, `DAG ${params.name} has ${index.layers.length} layers (0 to ${index.layers.length - 1}); there is no layer ${params.layer}`);
      const offset = query.offset ?? 0;
      return { layer: params.layer, total: ids.length, offset, nodes: ids.slice(offset, offset + (query.limit ?? 200)).map((id) => index.byId.get(id)!) };
    },
  });
}
