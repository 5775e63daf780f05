/** The layered DAG both sides of the overhead benchmark run. */
export function layeredDag(name: string, layers: number, width: number, concurrency: number): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const after = l === 0 ? [] : [...new Set([`n${l - 1}_${i}`, `n${l - 1}_${(i + 1) % width}`])];
      nodes.push({ id: `n${l}_${i}`, activity: 'noop', after, input: l === 0 ? i : `{{ nodes.n${l - 1}_${i}.output + 1 }}` });
    }
  }
  return { name, concurrency, nodes };
}
