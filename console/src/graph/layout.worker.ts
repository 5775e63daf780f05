/**
 * Runs ELK's layered layout off the main thread, so laying out a few hundred
 * nodes never blocks scrolling or live updates.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResult } from './layout';

const elk = new ELK();

self.onmessage = (e: MessageEvent<LayoutRequest>) => {
  const { id, nodes, edges } = e.data;
  elk
    .layout({
      id: 'root',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.layered.spacing.nodeNodeBetweenLayers': '60',
        'elk.spacing.nodeNode': '24',
        'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      },
      children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
      edges: edges.map((ed, i) => ({ id: `e${i}`, sources: [ed.source], targets: [ed.target] })),
    })
    .then(
      (graph) => {
        const positions: LayoutResult['positions'] = {};
        for (const c of graph.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
        self.postMessage({ id, positions } satisfies LayoutResult);
      },
      (err: unknown) => self.postMessage({ id, positions: {}, error: String(err) } satisfies LayoutResult),
    );
};
