/**
 * Splits a large DAG into partitions that each run as one child workflow
 * (src/workflows/partition/). A partition is a contiguous block of the
 * compiled topological order, so every node a partition reads lives in the
 * partition itself or in one before it, and running the partitions one after
 * another in index order respects every dependency. Each partition lists the
 * nodes of earlier partitions it reads ("imports"): its nodes' `after` and the
 * `nodes.<id>` references in their expressions. Those nodes' statuses and
 * outputs are all a partition's child needs from the rest of the run.
 *
 * Works on the packed form (src/dag/pack.ts), the workflow's own argument, so
 * a 100,000-node run is never unpacked whole. Linear in the size of the DAG.
 */
import type { PackedDag } from './pack';

/** When a run is partitioned, and how big its partitions are. */
export interface PartitionSettings {
  /** DAGs with more nodes than this run partitioned; smaller ones run as one workflow. @defaultValue 5000 */
  above: number;
  /** Most nodes in one partition. @defaultValue 1000 */
  size: number;
  /**
   * Workflow task timeout of each partition child, in ms; Temporal's own (10 s) when unset. Local
   * activities keep a workflow task open while they run, and the worker extends it at 80% of this
   * timeout, so it also bounds how long one task of a partition lasts.
   */
  taskTimeoutMs?: number;
}

export const DEFAULT_PARTITIONING: Readonly<PartitionSettings> = { above: 5000, size: 1000 };

export interface Partition {
  index: number;
  /** Range of the DAG's nodes (topological order) this partition runs: [start, end). */
  start: number;
  end: number;
  /** Ids of nodes of earlier partitions that this one reads, in DAG order. */
  imports: string[];
}

const MINIMUM: Record<keyof PartitionSettings, number> = { above: 0, size: 2, taskTimeoutMs: 1000 };

export class PartitionSettingsError extends Error {
  override readonly name = 'PartitionSettingsError';
  constructor(
    readonly field: keyof PartitionSettings,
    readonly value: unknown,
  ) {
    super(`partition settings: expected \`${field}\` to be an integer >= ${MINIMUM[field]}, got ${String(value)}`);
  }
}

export function checkPartitionSettings(s: PartitionSettings): PartitionSettings {
  if (!Number.isInteger(s.above) || s.above < 0) throw new PartitionSettingsError('above', s.above);
  if (!Number.isInteger(s.size) || s.size < 2) throw new PartitionSettingsError('size', s.size);
  if (s.taskTimeoutMs !== undefined && (!Number.isInteger(s.taskTimeoutMs) || s.taskTimeoutMs < 1000)) throw new PartitionSettingsError('taskTimeoutMs', s.taskTimeoutMs);
  return s;
}

// `nodes.<id>` and nodes.`<id>` in expression text. Finding more than the
// parser would (a reference inside a string literal) is harmless: the node is
// passed along without being read.
const REFERENCE = /nodes\s*\.\s*(?:([A-Za-z_][A-Za-z0-9_]*)|`([^`]*)`)/g;

/** Every string inside a value, without recursion (inputs may nest deeply). */
function eachString(value: unknown, fn: (s: string) => void): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') fn(v);
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) stack.push(x);
  }
}

type PackedNode = PackedDag['nodes'][number];

/** Ids of the nodes one node reads: its dependencies, then what its expressions name. */
export function nodeReads(n: PackedNode): Set<string> {
  const reads = new Set<string>(n.after ?? []);
  const scan = (s: string) => {
    if (!s.includes('nodes')) return;
    for (const m of s.matchAll(REFERENCE)) reads.add(m[1] ?? m[2]!);
  };
  for (const v of [n.when, n.delay, n.at, n.map?.items, n.call?.input, n.compensate?.input, n.notify?.url]) eachString(v, scan);
  return reads;
}

/** Whether a DAG runs partitioned under these settings. */
export function shouldPartition(dag: Pick<PackedDag, 'nodes' | 'onFailure'>, s: PartitionSettings): boolean {
  // A saga compensates across the whole run in reverse order, one node at a time: it stays in one workflow.
  return dag.nodes.length > s.above && dag.onFailure !== 'compensate';
}

export type Block = Omit<Partition, 'imports'>;

/** The blocks alone: cheap, so a run's first workflow task does not scan 100,000 nodes' expressions. */
export function partitionBlocks(count: number, size: number): Block[] {
  const blocks: Block[] = [];
  for (let start = 0, index = 0; start < count; start += size, index++) blocks.push({ index, start, end: Math.min(start + size, count) });
  return blocks;
}

/** What one block imports; `position` maps each node id to its place in the DAG's order. */
export function blockImports(dag: Pick<PackedDag, 'nodes'>, block: Block, position: ReadonlyMap<string, number>): string[] {
  const imported = new Set<number>();
  for (let i = block.start; i < block.end; i++) {
    for (const id of nodeReads(dag.nodes[i]!)) {
      const at = position.get(id);
      // Unknown ids were refused by validation (or are not references at all); later ids cannot be read.
      if (at !== undefined && at < block.start) imported.add(at);
    }
  }
  return [...imported].sort((x, y) => x - y).map((i) => dag.nodes[i]!.id);
}

/** Cuts the DAG into blocks of at most `size` nodes and finds what each block imports. */
export function partitionDag(dag: Pick<PackedDag, 'nodes'>, size: number): Partition[] {
  const position = new Map<string, number>();
  dag.nodes.forEach((n, i) => position.set(n.id, i));
  return partitionBlocks(dag.nodes.length, size).map((b) => ({ ...b, imports: blockImports(dag, b, position) }));
}
