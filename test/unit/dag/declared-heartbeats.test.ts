/**
 * Heartbeat timeouts that activities declare (`defineActivity({ heartbeatTimeout })`,
 * passed to compileDag as `activityHeartbeats`): a node calling one gets that
 * heartbeat timeout and `auto` makes it remote; the node's own timeouts win;
 * without the map nothing changes, hash included.
 */
import { describe, expect, it } from 'vitest';
import { ActivityHeartbeatsError, compileDag, type CompileOptions } from '../../../src/dag/compile';
import { BUILTIN_DEFAULTS, type CompiledNode } from '../../../src/dag/types';

const declared = { 'media.transcode': 30_000 };

function only(nodes: Array<Record<string, unknown>>, opts: CompileOptions = {}, extra: Record<string, unknown> = {}): CompiledNode {
  return compileDag({ name: 'hb', ...extra, nodes }, opts).nodes[0]!;
}

describe('declared activity heartbeats', () => {
  it('run a node that calls the activity remote, with the declared heartbeat timeout', () => {
    const node = only([{ id: 'encode', activity: 'media.transcode' }], { activityHeartbeats: declared });
    expect(node.call?.mode).toBe('remote');
    expect(node.call?.timeouts.heartbeatMs).toBe(30_000);
  });

  it('leave the node local without the map', () => {
    const node = only([{ id: 'encode', activity: 'media.transcode' }]);
    expect(node.call?.mode).toBe('local');
    expect(node.call?.timeouts.heartbeatMs).toBeUndefined();
  });

  it('give way to the heartbeat a node sets', () => {
    const node = only([{ id: 'encode', activity: 'media.transcode', timeout: { heartbeat: '5s' } }], { activityHeartbeats: declared });
    expect(node.call?.timeouts.heartbeatMs).toBe(5_000);
    expect(node.call?.mode).toBe('remote');
  });

  it("give way to the heartbeat of the DAG's defaults", () => {
    const node = only([{ id: 'encode', activity: 'media.transcode' }], { activityHeartbeats: declared }, { defaults: { timeout: { heartbeat: '7s' } } });
    expect(node.call?.timeouts.heartbeatMs).toBe(7_000);
  });

  it('keep a node that asks for local local (the worker then warns when it heartbeats)', () => {
    const node = only([{ id: 'encode', activity: 'media.transcode', mode: 'local' }], { activityHeartbeats: declared });
    expect(node.call?.mode).toBe('local');
  });

  it('apply to compensations too', () => {
    const node = only([{ id: 'charge', activity: 'billing.charge', compensate: { activity: 'media.transcode' } }], { activityHeartbeats: declared });
    expect(node.call?.mode).toBe('local');
    expect(node.compensate?.timeouts.heartbeatMs).toBe(30_000);
    expect(node.compensate?.mode).toBe('remote');
  });

  it("replace the built-ins' default heartbeat when one is declared for a built-in", () => {
    expect(only([{ id: 'wait', activity: 'sleep' }]).call?.timeouts.heartbeatMs).toBe(BUILTIN_DEFAULTS.builtinHeartbeatMs);
    expect(only([{ id: 'wait', activity: 'sleep' }], { activityHeartbeats: { sleep: 60_000 } }).call?.timeouts.heartbeatMs).toBe(60_000);
  });

  it('ignore names inherited from Object.prototype', () => {
    const node = only([{ id: 'c', activity: 'constructor' }], { activityHeartbeats: {} });
    expect(node.call?.mode).toBe('local');
    expect(node.call?.timeouts.heartbeatMs).toBeUndefined();
  });
});

describe('the hash with declared heartbeats', () => {
  const def = { name: 'hb', nodes: [{ id: 'encode', activity: 'media.transcode' }] };

  it('changes when a declared heartbeat changes the compiled DAG', () => {
    const plain = compileDag(def).hash;
    const with30 = compileDag(def, { activityHeartbeats: declared }).hash;
    const with60 = compileDag(def, { activityHeartbeats: { 'media.transcode': 60_000 } }).hash;
    expect(new Set([plain, with30, with60]).size).toBe(3);
  });

  it('stays as it was when the DAG calls no declaring activity', () => {
    expect(compileDag(def, { activityHeartbeats: { 'other.activity': 30_000 } }).hash).toBe(compileDag(def).hash);
  });
});

describe('a bad activityHeartbeats entry', () => {
  it.each([
    ['zero', 0],
    ['a negative number', -5],
    ['not a number', '30s'],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('is refused, naming the activity (%s)', (_label, value) => {
    const compile = () => compileDag({ name: 'hb', nodes: [{ id: 'a', activity: 'x' }] }, { activityHeartbeats: { 'media.transcode': value as number } });
    expect(compile).toThrow(ActivityHeartbeatsError);
    expect(compile).toThrow(/activityHeartbeats\["media\.transcode"\] must be a heartbeat timeout in milliseconds above 0/);
  });
});
