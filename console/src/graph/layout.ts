/**
 * Graph layout: ELK (layered) in a Web Worker, with a simple layer-grid
 * layout as the fallback when the worker can't run or fails.
 */
import { layerOf, type LayerInput } from '../../../src/api/routes/console-layers';

/** A node to lay out; nodes without a size get a node card's. */
export type LayoutInput = LayerInput & { width?: number; height?: number };

export interface LayoutRequest {
  id: number;
  nodes: { id: string; width: number; height: number }[];
  edges: { source: string; target: string }[];
}

export interface LayoutResult {
  id: number;
  positions: Record<string, { x: number; y: number }>;
  error?: string;
}

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 74;

let worker: Worker | undefined;
let seq = 0;
const waiting = new Map<number, (r: LayoutResult) => void>();

function layoutWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<LayoutResult>) => {
      waiting.get(e.data.id)?.(e.data);
      waiting.delete(e.data.id);
    };
    // A worker that can't load answers nobody; fail every wait so the grid takes over.
    worker.onerror = () => {
      for (const [id, resolve] of waiting) resolve({ id, positions: {}, error: 'layout worker failed' });
      waiting.clear();
    };
  }
  return worker;
}

/** Columns by layer, rows in order: good enough to read, and instant. */
export function gridLayout(nodes: readonly LayerInput[]): Record<string, { x: number; y: number }> {
  const layer = layerOf(nodes);
  const rowsUsed: number[] = [];
  const out: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) {
    const l = layer.get(n.id) ?? 0;
    const row = rowsUsed[l] ?? 0;
    rowsUsed[l] = row + 1;
    out[n.id] = { x: l * (NODE_WIDTH + 60), y: row * (NODE_HEIGHT + 24) };
  }
  return out;
}

export async function layout(nodes: readonly LayoutInput[]): Promise<Record<string, { x: number; y: number }>> {
  const request: LayoutRequest = {
    id: ++seq,
    nodes: nodes.map((n) => ({ id: n.id, width: n.width ?? NODE_WIDTH, height: n.height ?? NODE_HEIGHT })),
    edges: nodes.flatMap((n) => n.after.map((a) => ({ source: a, target: n.id }))),
  };
  try {
    const result = await new Promise<LayoutResult>((resolve) => {
      waiting.set(request.id, resolve);
      layoutWorker().postMessage(request);
    });
    if (!result.error && Object.keys(result.positions).length === nodes.length) return result.positions;
  } catch {
    // No worker (or it failed to load): fall through to the grid.
  }
  return gridLayout(nodes);
}
