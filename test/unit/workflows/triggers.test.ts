/**
 * Trigger rules, as a table: how the two upstream nodes end, and what becomes
 * of the node that waits on both. `a` runs an activity that succeeds or
 * fails; `b` succeeds or is skipped by its condition.
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import type { TriggerRule } from '../../../src/dag/schema';
import { evaluateTrigger } from '../../../src/workflows/triggers';
import { drive } from './drive';

interface Case {
  name: string;
  trigger: TriggerRule;
  a: 'ok' | 'fail';
  b: 'ok' | 'skip';
  /** `runs`, or the reason it was skipped. */
  expected: string;
}

const cases: Case[] = [
  { name: 'all-success runs when every upstream node succeeded', trigger: 'all-success', a: 'ok', b: 'ok', expected: 'runs' },
  { name: 'all-success skips when an upstream node failed', trigger: 'all-success', a: 'fail', b: 'ok', expected: 'an upstream node failed (trigger all-success)' },
  { name: 'all-success skips when an upstream node was skipped', trigger: 'all-success', a: 'ok', b: 'skip', expected: 'an upstream node was skipped (trigger all-success)' },
  { name: 'all-done runs after a failure', trigger: 'all-done', a: 'fail', b: 'ok', expected: 'runs' },
  { name: 'all-done runs after a skip', trigger: 'all-done', a: 'ok', b: 'skip', expected: 'runs' },
  { name: 'one-success runs when one upstream node succeeded', trigger: 'one-success', a: 'fail', b: 'ok', expected: 'runs' },
  { name: 'one-success skips when none succeeded', trigger: 'one-success', a: 'fail', b: 'skip', expected: 'no upstream node succeeded (trigger one-success)' },
  { name: 'one-failed runs when an upstream node failed', trigger: 'one-failed', a: 'fail', b: 'skip', expected: 'runs' },
  { name: 'one-failed skips when none failed', trigger: 'one-failed', a: 'ok', b: 'ok', expected: 'no upstream node failed (trigger one-failed)' },
  { name: 'none-failed runs past a skipped upstream node', trigger: 'none-failed', a: 'ok', b: 'skip', expected: 'runs' },
  { name: 'none-failed skips when an upstream node failed', trigger: 'none-failed', a: 'fail', b: 'ok', expected: 'an upstream node failed (trigger none-failed)' },
];

describe('trigger rules in a run', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dag = compileDag({
        name: 'triggers',
        onFailure: 'continue',
        nodes: [
          { id: 'a', activity: 'demo.step' },
          { id: 'b', activity: 'demo.step', when: c.b === 'ok' ? 'true' : 'false' },
          { id: 'c', activity: 'demo.step', after: ['a', 'b'], trigger: c.trigger },
        ],
      });
      const t = await drive(dag, {}, { replies: c.a === 'fail' ? { a: { fail: 'boom' } } : {} });
      const node = t.status.nodes.find((n) => n.id === 'c')!;
      if (c.expected === 'runs') {
        expect(t.calls).toContain('c');
        expect(node.state).toBe('succeeded');
      } else {
        expect(t.calls).not.toContain('c');
        expect(node).toMatchObject({ state: 'skipped', reason: c.expected });
      }
    });
  }

  it('skips downstream of a skipped node in the same pass, and never starts them', async () => {
    const dag = compileDag({
      name: 'skip-chain',
      nodes: [
        { id: 'a', activity: 'demo.step', when: 'false' },
        { id: 'b', activity: 'demo.step', after: ['a'] },
        { id: 'c', activity: 'demo.step', after: ['b'] },
      ],
    });
    const t = await drive(dag, {});
    expect(t.calls).toEqual([]);
    expect(t.states).toEqual({ a: 'skipped', b: 'skipped', c: 'skipped' });
    expect(t.end).toEqual({ kind: 'complete-run', output: {} });
  });
});

describe('evaluateTrigger on tallies', () => {
  const none = { total: 0, done: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  const table: Array<[string, TriggerRule, typeof none, string]> = [
    ['a root node runs', 'all-success', none, 'run'],
    ['waits while upstream nodes are running', 'all-success', { ...none, total: 2, done: 1, succeeded: 1 }, 'wait'],
    ['all-success treats a cancelled upstream node as failed', 'all-success', { ...none, total: 1, done: 1, cancelled: 1 }, 'skip'],
    ['one-success runs at the first success without waiting for the rest', 'one-success', { ...none, total: 3, done: 1, succeeded: 1 }, 'run'],
    ['one-failed runs at the first failure without waiting for the rest', 'one-failed', { ...none, total: 3, done: 1, failed: 1 }, 'run'],
    ['none-failed treats a cancelled upstream node as failed', 'none-failed', { ...none, total: 1, done: 1, cancelled: 1 }, 'skip'],
  ];
  for (const [name, rule, counts, action] of table) {
    it(name, () => expect(evaluateTrigger(rule, counts).action).toBe(action));
  }
});
