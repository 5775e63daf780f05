/**
 * The dependency graph of a definition, for validation: topological order,
 * cycles, and "is A upstream of B" queries for expressions that read
 * `nodes.A`. Everything here is iterative and, for the shapes DAGs have in
 * practice, linear in nodes + edges; no per-node ancestor sets are stored
 * (they made validation quadratic in time and memory).
 */

export interface UpstreamQuery {
  /** The node whose expression reads another node. */
  node: number;
  /** The node it reads. */
  target: number;
}

/** Bits per batch word, and words per node in one batch of the bitset pass. */
const WORD_BITS = 32;
const BATCH_WORDS = 16;
/** Below this many parents, a scan beats building a Set. */
const SMALL = 8;

export class DependencyGraph {
  /** parents[i]: indices of the nodes that node i runs after (known ids only, no self-edges). */
  private readonly parents: number[][];
  /** Topological position of each node; -1 for nodes on or behind a cycle. */
  readonly position: Int32Array;
  /** Node indices in topological order (ties in definition order); shorter than the node count when there are cycles. */
  readonly order: number[];

  constructor(parents: number[][]) {
    this.parents = parents;
    const n = parents.length;
    const indegree = new Int32Array(n);
    const children: number[][] = parents.map(() => []);
    parents.forEach((ps, i) => {
      indegree[i] = ps.length;
      for (const p of ps) children[p]!.push(i);
    });
    this.position = new Int32Array(n).fill(-1);
    this.order = [];
    // Kahn's algorithm by layers: ready nodes in definition order, then theirs.
    let ready: number[] = [];
    for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
    while (ready.length > 0) {
      const next: number[] = [];
      for (const i of ready) {
        this.position[i] = this.order.length;
        this.order.push(i);
        for (const c of children[i]!) if (--indegree[c]! === 0) next.push(c);
      }
      ready = next;
    }
  }

  get hasCycle(): boolean {
    return this.order.length < this.parents.length;
  }

  /**
   * Up to `max` distinct cycles, each as node indices in dependency order
   * (a runs before b before … before a), found by an iterative DFS over the
   * nodes Kahn's algorithm could not order.
   */
  cycles(max: number): number[][] {
    const n = this.parents.length;
    const color = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
    const found: number[][] = [];
    const seen = new Set<string>();
    const path: number[] = [];
    const onPath = new Int32Array(n).fill(-1);
    const next = new Int32Array(n); // next parent to look at, per node on the path
    for (let root = 0; root < n && found.length < max; root++) {
      if (this.position[root] !== -1 || color[root] !== 0) continue;
      path.push(root);
      onPath[root] = 0;
      color[root] = 1;
      while (path.length > 0 && found.length < max) {
        const top = path[path.length - 1]!;
        const ps = this.parents[top]!;
        if (next[top]! < ps.length) {
          const dep = ps[next[top]!++]!;
          if (color[dep] === 1) {
            // path[onPath[dep]] … top all wait on the next; top waits on dep: a cycle.
            const cycle = path.slice(onPath[dep]).reverse();
            const key = [...cycle].sort((a, b) => a - b).join(',');
            if (!seen.has(key)) {
              seen.add(key);
              found.push(cycle);
            }
          } else if (color[dep] === 0 && this.position[dep] === -1) {
            color[dep] = 1;
            onPath[dep] = path.length;
            path.push(dep);
          }
        } else {
          path.pop();
          onPath[top] = -1;
          color[top] = 2;
        }
      }
    }
    return found;
  }

  private parentLookup(i: number): (p: number) => boolean {
    const ps = this.parents[i]!;
    if (ps.length <= SMALL) return (p) => ps.includes(p);
    const set = new Set(ps);
    return (p) => set.has(p);
  }

  /**
   * For each query, whether `target` is a transitive dependency of `node`.
   * Queries from nodes on or behind a cycle answer true: the cycle is
   * reported already, and guessing at reachability there would only add noise.
   *
   * Most references are to a parent, a grandparent, or a target a parent
   * already reaches; those resolve in constant time. The rest are answered
   * together by propagating bitsets of up to 512 targets at a time forward
   * in topological order, over the range of positions that can matter.
   */
  upstream(queries: readonly UpstreamQuery[]): boolean[] {
    const answers = new Array<boolean>(queries.length).fill(false);
    const byNode = this.inTopologicalOrder(queries);
    const reaches = new Map<number, Set<number>>(); // target → nodes known to reach it
    const pending: number[] = [];
    let lookupFor = -1;
    let isParent: (p: number) => boolean = () => false;
    for (const k of byNode) {
      const { node, target } = queries[k]!;
      const pn = this.position[node]!;
      const pt = this.position[target]!;
      // Every ancestor of an ordered node is ordered, so an unordered target is never upstream of one.
      if (pn === -1) {
        answers[k] = true;
        continue;
      }
      if (pt === -1 || pt >= pn) continue;
      if (lookupFor !== node) {
        lookupFor = node;
        isParent = this.parentLookup(node);
      }
      if (isParent(target)) {
        answers[k] = true;
        continue;
      }
      const ps = this.parents[node]!;
      const known = reaches.get(target);
      // A grandparent, or a target a parent is known to reach. Only these answers are
      // remembered: a direct parent is found again by the grandparent check.
      if (ps.length <= SMALL && ps.some((p) => known?.has(p) || (this.parents[p]!.length <= SMALL && this.parents[p]!.includes(target)))) {
        answers[k] = true;
        if (known) known.add(node);
        else reaches.set(target, new Set([node]));
      } else pending.push(k);
    }
    if (pending.length > 0) this.answerByBitsets(queries, pending, answers);
    return answers;
  }

  /** Query indices ordered by their node's topological position (a counting sort: linear). */
  private inTopologicalOrder(queries: readonly UpstreamQuery[]): number[] {
    const n = this.parents.length;
    const start = new Int32Array(n + 2);
    for (const q of queries) start[this.position[q.node]! + 2]!++;
    for (let i = 2; i < start.length; i++) start[i]! += start[i - 1]!;
    const out = new Array<number>(queries.length);
    queries.forEach((q, k) => (out[start[this.position[q.node]! + 1]!++] = k));
    return out;
  }

  private answerByBitsets(queries: readonly UpstreamQuery[], pending: number[], answers: boolean[]): void {
    const targets = [...new Set(pending.map((k) => queries[k]!.target))].sort((a, b) => this.position[a]! - this.position[b]!);
    const perBatch = WORD_BITS * BATCH_WORDS;
    const bit = new Map<number, number>();
    for (let start = 0; start < targets.length; start += perBatch) {
      const batch = targets.slice(start, start + perBatch);
      bit.clear();
      batch.forEach((t, b) => bit.set(t, b));
      const mine = pending.filter((k) => bit.has(queries[k]!.target));
      const lo = this.position[batch[0]!]!;
      let hi = lo;
      for (const k of mine) hi = Math.max(hi, this.position[queries[k]!.node]!);
      const masks = new Uint32Array((hi - lo + 1) * BATCH_WORDS);
      for (let pos = lo; pos <= hi; pos++) {
        const v = this.order[pos]!;
        const base = (pos - lo) * BATCH_WORDS;
        const own = bit.get(v);
        if (own !== undefined) masks[base + (own >>> 5)]! |= 1 << (own & 31);
        for (const p of this.parents[v]!) {
          const pp = this.position[p]!;
          if (pp < lo) continue;
          const pb = (pp - lo) * BATCH_WORDS;
          for (let w = 0; w < BATCH_WORDS; w++) masks[base + w]! |= masks[pb + w]!;
        }
      }
      for (const k of mine) {
        const { node, target } = queries[k]!;
        const b = bit.get(target)!;
        // The node's own bit is set only when it is a target itself; upstream means strictly before it.
        const base = (this.position[node]! - lo) * BATCH_WORDS;
        answers[k] = node !== target && (masks[base + (b >>> 5)]! & (1 << (b & 31))) !== 0;
      }
    }
  }
}
