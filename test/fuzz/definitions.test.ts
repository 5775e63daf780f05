/**
 * The fuzz suite of issue 8: at least 10,000 generated definitions. Each is
 * accepted (and then compiles and packs) or rejected with issues that have a
 * path, a code and a message; none throws, and none takes over a second.
 *
 * The seed is fixed so CI is repeatable; FUZZ_SEED=<n> explores others, and
 * FUZZ_RUNS=<n> scales the run count.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileDag } from '../../src/dag/compile';
import { packDag, unpackDag } from '../../src/dag/pack';
import { validateDag } from '../../src/dag/validate';
import { arbitraryDefinition, exampleDefinitions, mutatedDefinition } from './arbitraries';
import { CORPUS } from './corpus';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 8000);
/**
 * CPU time, not wall time: the machine that runs CI is shared, and a case
 * that waits for a core is not a slow case. Generous on purpose: the point
 * is to catch the quadratic and exponential cases, which take minutes.
 */
const MAX_CASE_CPU_MS = 1000;

function summary(dag: unknown): string {
  const text = JSON.stringify(dag, (_k, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v)) ?? String(dag);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** Validates (and, when accepted, compiles and packs) one definition, checking the contract. */
function check(dag: unknown): 'accepted' | 'rejected' {
  const started = process.cpuUsage();
  let outcome: 'accepted' | 'rejected';
  try {
    const result = validateDag(dag);
    if (result.ok) {
      const compiled = compileDag(dag);
      // Deep equality is slow on big graphs; the round trip is the same code at any size.
      if (compiled.nodes.length <= 50) expect(unpackDag(packDag(compiled))).toEqual(compiled);
      outcome = 'accepted';
    } else {
      expect(result.issues.length).toBeGreaterThan(0);
      for (const issue of result.issues) {
        expect(typeof issue.path === 'string' && issue.path.length > 0, `issue without a path: ${JSON.stringify(issue)}`).toBe(true);
        expect(issue.code).toBeTruthy();
        expect(issue.message).toBeTruthy();
      }
      outcome = 'rejected';
    }
  } catch (err) {
    throw new Error(`validation threw ${String(err)} on ${summary(dag)}`, { cause: err });
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  if (ms > MAX_CASE_CPU_MS) throw new Error(`case took ${ms.toFixed(0)} ms of CPU (over ${MAX_CASE_CPU_MS}): ${summary(dag)}`);
  return outcome;
}

describe('fuzzed definitions', () => {
  const bases = [...exampleDefinitions(), ...CORPUS.filter((c) => !/10,000|3,000/.test(c.name)).map((c) => c.dag() as Record<string, unknown>)];

  it('has the examples to mutate', () => {
    expect(bases.length).toBeGreaterThanOrEqual(10);
  });

  it(`mutated examples (${RUNS} cases) are accepted or rejected with paths, quickly`, () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(mutatedDefinition(bases), (dag) => {
        seen[check(dag)]++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // A generator that only produces rejections would test little.
    expect(seen.accepted).toBeGreaterThan(RUNS * 0.02);
    expect(seen.rejected).toBeGreaterThan(RUNS * 0.5);
  }, 300_000);

  it(`definitions from scratch (${Math.round(RUNS / 4)} cases) are accepted or rejected with paths, quickly`, () => {
    fc.assert(
      fc.property(arbitraryDefinition, (dag) => {
        check(dag);
      }),
      { seed: SEED + 1, numRuns: Math.round(RUNS / 4) },
    );
  }, 300_000);
});
