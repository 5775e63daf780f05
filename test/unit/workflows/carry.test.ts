/**
 * Carry across continue-as-new: the state one execution hands over, fed to
 * the next, gives the same decisions as a run that never continued. Every
 * call happens once, outputs are the same, and timers and approval deadlines
 * keep their absolute times.
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import type { CarriedState } from '../../../src/workflows/carry';
import { drive, T0, type World } from './drive';

const step = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, activity: 'demo.step', ...extra });

const dags: Array<{ name: string; dag: Record<string, unknown>; world: World }> = [
  {
    name: 'a chain',
    dag: { name: 'chain', nodes: [step('a', { input: 1 }), step('b', { after: ['a'], input: '{{ nodes.a.output + 1 }}' }), step('c', { after: ['b'], input: '{{ nodes.b.output + 1 }}' })] },
    world: { echo: true },
  },
  {
    name: 'a map between two nodes, with a concurrency limit',
    dag: {
      name: 'fan',
      concurrency: 2,
      nodes: [
        step('list', { input: [1, 2, 3, 4, 5, 6, 7, 8] }),
        step('each', { after: ['list'], map: { items: '{{ nodes.list.output }}', concurrency: 2 }, input: '{{ item * 10 }}' }),
        step('sum', { after: ['each'], input: '{{ $sum(nodes.each.output) }}' }),
      ],
    },
    world: { echo: true },
  },
  {
    name: 'a saga that fails and compensates',
    dag: { name: 'saga', onFailure: 'compensate', nodes: [step('a', { compensate: { activity: 'demo.undo' } }), step('b', { after: ['a'] }), step('c', { after: ['b'] })] },
    world: { replies: { c: { fail: 'boom' } } },
  },
  {
    name: 'parallel branches joined with all-done',
    dag: { name: 'join', onFailure: 'continue', nodes: [step('a'), step('b'), step('x', { after: ['a'] }), step('j', { after: ['x', 'b'], trigger: 'all-done' })] },
    world: { replies: { x: { fail: 'boom' } } },
  },
];

/** Runs the DAG, continuing as new after `longAfter` calls (and again, each time history is long), to the end. */
async function withContinues(dag: ReturnType<typeof compileDag>, world: World, longAfter: number) {
  const calls: string[] = [];
  let carried: CarriedState | undefined;
  for (let generation = 0; generation < 20; generation++) {
    const t = await drive(dag, {}, { ...world, longAfterCalls: longAfter }, carried ? { carried } : {});
    calls.push(...t.calls);
    if (t.end?.kind !== 'continue-as-new') return { calls, t, generations: generation };
    // What Temporal would hand the next execution: plain JSON.
    carried = JSON.parse(JSON.stringify(t.machine.carried())) as CarriedState;
  }
  throw new Error('did not finish in 20 generations');
}

describe('carry across continue-as-new', () => {
  for (const c of dags) {
    for (const longAfter of [1, 2]) {
      it(`${c.name}: continuing after ${longAfter} call(s) makes every call once and ends the same`, async () => {
        const dag = compileDag(c.dag);
        const straight = await drive(dag, {}, c.world);
        const split = await withContinues(dag, c.world, longAfter);
        expect(split.generations).toBeGreaterThan(0);
        expect([...split.calls].sort()).toEqual([...straight.calls].sort());
        expect(split.t.end).toEqual(straight.end);
        expect(split.t.states).toEqual(straight.states);
        expect(split.t.status.generation).toBe(split.generations);
      });
    }
  }

  it('a timer begun in one execution ends at the same moment in the next', async () => {
    const dag = compileDag({ name: 'timer', nodes: [step('a'), step('t', { delay: '1h' })] });
    const first = await drive(dag, {}, { longAfterCalls: 1 });
    expect(first.end).toEqual({ kind: 'continue-as-new' });
    expect(first.timers).toEqual([['t', 3_600_000]]);
    const next = await drive(dag, {}, {}, { carried: first.machine.carried(), now: T0 + 600_000 });
    expect(next.timers).toEqual([['t', 3_000_000]]);
    expect(next.calls).toEqual(['t']);
    expect(next.states).toEqual({ a: 'succeeded', t: 'succeeded' });
  });

  it('an approval deadline begun in one execution stays the same in the next, and its decision carries', async () => {
    const dag = compileDag({ name: 'appr', nodes: [step('a'), { id: 'ok', type: 'approval', timeout: '2h' }] });
    const first = await drive(dag, {}, { longAfterCalls: 1 });
    expect(first.end).toEqual({ kind: 'continue-as-new' });
    const carried = first.machine.carried();
    expect(carried.approvals).toEqual({ ok: { deadline: T0 + 7_200_000 } });
    const next = await drive(dag, {}, { decisions: { ok: { node: 'ok', decision: 'approve' } } }, { carried, now: T0 + 3_600_000 });
    expect(next.commands).toContainEqual({ kind: 'wait-decision', node: 'ok', ms: 3_600_000 });
    expect(next.states).toEqual({ a: 'succeeded', ok: 'succeeded' });
  });

  it('reused outputs (retry --from-failed) are not run again and feed downstream', async () => {
    const dag = compileDag({ name: 'reuse', nodes: [step('a'), step('b', { after: ['a'], input: '{{ nodes.a.output }}' })] });
    const t = await drive(dag, {}, { echo: true }, { reuse: { a: 'from before' } });
    expect(t.calls).toEqual(['b']);
    expect(t.inputs.b).toBe('from before');
    expect(t.status.nodes[0]).toMatchObject({ state: 'succeeded', reused: true });
  });

  it('keeps the status counts equal to a recount of node states at every step', async () => {
    const dag = compileDag(dags[3]!.dag);
    const t = await drive(dag, {}, dags[3]!.world);
    const recount: Record<string, number> = { pending: 0, waiting: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
    for (const n of t.status.nodes) recount[n.state]!++;
    expect(t.status.counts).toEqual(recount);
  });
});
