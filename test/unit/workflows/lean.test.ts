/**
 * Lean calls (runs with the `weft-lean-calls` marker): a node whose input
 * holds no template calls its activity without an `evaluate` round, a
 * templated one is still evaluated, and the status says where each activity
 * node runs; runs without the marker keep the old commands and say remote.
 */
import { describe, expect, it } from 'vitest';
import { compileDag } from '../../../src/dag/compile';
import { drive } from './drive';

const dag = compileDag({
  name: 'lean',
  nodes: [
    { id: 'lit', activity: 'demo.step', input: { a: [1, 'two', { three: true }] } },
    { id: 'tpl', activity: 'demo.step', after: ['lit'], input: { from: '{{ nodes.lit.output }}' } },
    { id: 'far', activity: 'demo.step', after: ['tpl'], mode: 'remote' },
    { id: 'ok', type: 'approval', after: ['far'], timeout: '1m' },
  ],
});

const inputEvaluations = (kinds: Array<{ kind: string; step?: string; node?: string }>): string[] => kinds.filter((c) => c.kind === 'evaluate' && c.step === 'input').map((c) => c.node!);

describe('lean calls', () => {
  it('skip the evaluation of literal inputs, and pass the same input', async () => {
    const lean = await drive(dag, null, { echo: true, decisions: { ok: { node: 'ok', decision: 'approve' } } }, { lean: true });
    const old = await drive(dag, null, { echo: true, decisions: { ok: { node: 'ok', decision: 'approve' } } });
    expect(inputEvaluations(lean.commands)).toEqual(['tpl']);
    expect(inputEvaluations(old.commands)).toEqual(['lit', 'tpl', 'far']);
    expect(lean.calls).toEqual(old.calls);
    expect(lean.inputs).toEqual(old.inputs);
    expect(lean.inputs.lit).toEqual({ a: [1, 'two', { three: true }] });
    expect(lean.states).toEqual(old.states);
  });

  it('show each activity node mode in the status; runs without the marker are remote', async () => {
    const lean = await drive(dag, null, { decisions: { ok: { node: 'ok', decision: 'approve' } } }, { lean: true });
    const old = await drive(dag, null, { decisions: { ok: { node: 'ok', decision: 'approve' } } });
    expect(lean.status.nodes.map((n) => n.mode)).toEqual(['local', 'local', 'remote', undefined]);
    expect(old.status.nodes.map((n) => n.mode)).toEqual(['remote', 'remote', 'remote', undefined]);
  });
});
