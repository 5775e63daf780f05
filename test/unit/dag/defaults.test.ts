/** Defaults are defined once (types.ts), and built-ins that heartbeat get a heartbeat timeout. */
import { describe, expect, it } from 'vitest';
import { builtinActivities } from '../../../src/activities/builtins';
import { compileDag } from '../../../src/dag/compile';
import { packDag, unpackDag } from '../../../src/dag/pack';
import { BUILTIN_DEFAULTS, HEARTBEATING_BUILTINS } from '../../../src/dag/types';

const dag = (nodes: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => compileDag({ name: 'defaults', ...extra, nodes });

describe('heartbeat timeouts of built-in activities', () => {
  it('are set by default for the built-ins that heartbeat, so a dead worker is noticed within seconds', () => {
    const compiled = dag([
      { id: 'fetch', activity: 'http.request', input: { url: 'http://x' } },
      { id: 'hook', activity: 'notify.webhook', input: { url: 'http://x' } },
      { id: 'wait', activity: 'sleep', input: { ms: 10 } },
      { id: 'plain', activity: 'noop' },
    ]);
    const hb = Object.fromEntries(compiled.nodes.map((n) => [n.id, n.call!.timeouts.heartbeatMs]));
    expect(hb).toEqual({ fetch: BUILTIN_DEFAULTS.builtinHeartbeatMs, hook: BUILTIN_DEFAULTS.builtinHeartbeatMs, wait: BUILTIN_DEFAULTS.builtinHeartbeatMs, plain: undefined });
    expect(BUILTIN_DEFAULTS.builtinHeartbeatMs).toBe(15_000);
  });

  it('give way to a heartbeat the node or the DAG defaults set', () => {
    const compiled = dag([
      { id: 'own', activity: 'http.request', timeout: { heartbeat: '2s' } },
      { id: 'dflt', activity: 'http.request' },
    ], { defaults: { timeout: { heartbeat: '40s' } } });
    expect(compiled.nodes.map((n) => n.call!.timeouts.heartbeatMs)).toEqual([2000, 40_000]);
  });

  it('apply to compensations too', () => {
    const compiled = dag([{ id: 'a', activity: 'noop', compensate: { activity: 'http.request', input: { url: 'http://x' } } }]);
    expect(compiled.nodes[0]!.compensate!.timeouts.heartbeatMs).toBe(BUILTIN_DEFAULTS.builtinHeartbeatMs);
  });

  it('name only activities the worker registers', () => {
    const names = new Set(builtinActivities().map((a) => a.name));
    for (const name of HEARTBEATING_BUILTINS) expect(names).toContain(name);
  });
});

describe('retry and timeout defaults', () => {
  it('come from BUILTIN_DEFAULTS when compiling', () => {
    const call = dag([{ id: 'a', activity: 'noop' }]).nodes[0]!.call!;
    expect(call.retry).toEqual(BUILTIN_DEFAULTS.retry);
    expect(call.timeouts).toEqual({ startToCloseMs: BUILTIN_DEFAULTS.startToCloseMs });
  });

  it('are the fallback of the packed form too, which round-trips', () => {
    const approvals = dag([{ id: 'ok', type: 'approval' }]);
    const packed = packDag(approvals);
    expect(packed.common).toEqual({ retry: BUILTIN_DEFAULTS.retry, timeouts: { startToCloseMs: BUILTIN_DEFAULTS.startToCloseMs } });
    expect(unpackDag(packed)).toEqual(approvals);
  });
});
