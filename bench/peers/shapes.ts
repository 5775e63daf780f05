/**
 * The three job shapes every system runs, in its own vocabulary. Nodes are
 * no-ops, so the figures measure each engine's cost per node.
 */
export type ShapeName = 'single' | 'chain' | 'chord';

export interface Shape {
  name: ShapeName;
  label: string;
  /** Nodes in one job of this shape. */
  nodesPerJob: number;
}

export const SHAPES: readonly Shape[] = [
  { name: 'single', label: 'single job', nodesPerJob: 1 },
  { name: 'chain', label: 'chain of 10', nodesPerJob: 10 },
  { name: 'chord', label: 'chord (8 parallel + 1)', nodesPerJob: 9 },
];

export const CHAIN_LENGTH = 10;
export const CHORD_WIDTH = 8;

/** Whole jobs that make about `nodes` nodes (at least one). */
export function jobsFor(shape: Shape, nodes: number): number {
  return Math.max(1, Math.round(nodes / shape.nodesPerJob));
}

/** One system under test: runs `jobs` jobs of a shape at once and resolves when all are done. */
export interface PeerSystem {
  readonly name: string;
  /** What a crash or a power loss costs this system as configured; printed next to its figure. */
  readonly durability: string;
  /** Nodes per round; fast queues get more so a round is not over before it is measured. */
  readonly nodesPerRound: number;
  /** The shapes it can run; all when left out (the job queue runs single jobs only). */
  readonly shapes?: readonly ShapeName[];
  /** Wall milliseconds from the first submit to the last completion. */
  run(shape: Shape, jobs: number): Promise<number>;
  close(): Promise<void>;
}
