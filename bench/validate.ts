/**
 * Validation and compilation time and heap for large DAGs, in-process:
 *   npx tsx bench/validate.ts [sizes…]   (default: 10000 100000)
 * Shapes: a layered DAG of width 100 whose nodes read their parents' outputs
 * (issue 10's target shape), and a chain. Each size runs 3 times; the median is
 * printed with the CPU time (steadier than wall time on a shared machine) and
 * the heap growth of the last run. Record `uptime` next to the figures.
 */
import { loadavg } from 'node:os';
import { compileDag } from '../src/dag/compile';
import { layeredDag } from './layered';

function chain(name: string, n: number): Record<string, unknown> {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    activity: 'noop',
    ...(i > 0 ? { after: [`n${i - 1}`], input: `{{ nodes.n${i - 1}.output }}` } : {}),
  }));
  return { name, nodes };
}

function measure(label: string, build: () => Record<string, unknown>): void {
  const times: number[] = [];
  const cpu: number[] = [];
  let heapMb = 0;
  for (let run = 0; run < 3; run++) {
    const def = build();
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const dag = compileDag(def);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    if (dag.nodes.length === 0) throw new Error('empty');
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(`${label.padEnd(28)} validate+compile median ${(times[1]! / 1000).toFixed(2)} s  (runs: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')}), CPU median ${(cpu[1]! / 1000).toFixed(2)} s, heap +${heapMb.toFixed(0)} MB`);
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length ? sizes : [10_000, 100_000]) {
  measure(`layered ${n} (width 100)`, () => layeredDag('bench-layered', n / 100, 100, 20));
  measure(`chain ${n}`, () => chain('bench-chain', n));
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
