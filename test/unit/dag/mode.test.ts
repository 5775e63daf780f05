/**
 * A node's `mode`: `auto` resolved at compile time by a fixed rule, explicit
 * `local`/`remote` kept, conflicts refused with the path of the setting that
 * conflicts, and the packed form keeping "no mode" (DAGs compiled before the
 * field) apart from `local`.
 */
import { describe, expect, it } from 'vitest';
import { task, buildDag, chain } from '../../../src/dag/builder';
import { compileDag } from '../../../src/dag/compile';
import { AUTO_LOCAL_MAX_START_TO_CLOSE_MS, modeOf, remoteReason } from '../../../src/dag/mode';
import { packDag, unpackDag } from '../../../src/dag/pack';
import { BUILTIN_DEFAULTS, type CompiledDag } from '../../../src/dag/types';
import { DagValidationError, validateDag } from '../../../src/dag/validate';

const modes = (nodes: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Record<string, string | undefined> =>
  Object.fromEntries(compileDag({ name: 'modes', ...extra, nodes }).nodes.map((n) => [n.id, n.call?.mode]));

const issues = (def: Record<string, unknown>): Array<{ path: string; message: string }> => {
  const r = validateDag(def);
  return r.ok ? [] : r.issues.map(({ path, message }) => ({ path, message }));
};

describe('auto resolution', () => {
  it.each([
    ['a no-op node with default settings', { activity: 'noop' }, 'local'],
    ['a user activity with a short timeout and retries', { activity: 'billing.charge', timeout: '10s', retry: { maximumAttempts: 10 } }, 'local'],
    ['a startToClose equal to the default (5m)', { activity: 'x', timeout: '5m' }, 'local'],
    ['a scheduleToClose (the retry budget)', { activity: 'x', timeout: { scheduleToClose: '1h' } }, 'local'],
    ['a map node with default settings', { activity: 'x', map: { items: [1, 2] } }, 'remote'],
    ['a startToClose over the default', { activity: 'x', timeout: '5m1s' }, 'remote'],
    ['a heartbeat timeout', { activity: 'x', timeout: { heartbeat: '10s' } }, 'remote'],
    ['a built-in that heartbeats (http.request)', { activity: 'http.request' }, 'remote'],
    ['a built-in that heartbeats (notify.webhook)', { activity: 'notify.webhook' }, 'remote'],
    ['a built-in that heartbeats (sleep)', { activity: 'sleep' }, 'remote'],
    ['a task queue', { activity: 'x', taskQueue: 'gpu' }, 'remote'],
    ['a scheduleToStart timeout', { activity: 'x', timeout: { scheduleToStart: '1m' } }, 'remote'],
    ['unlimited retries', { activity: 'x', retry: { maximumAttempts: 0 } }, 'remote'],
    ['unlimited retries bounded by a scheduleToClose', { activity: 'x', retry: { maximumAttempts: 0 }, timeout: { scheduleToClose: '10m' } }, 'local'],
  ])('%s → %s', (_label, fields, expected) => {
    expect(modes([{ id: 'n', ...fields }]).n).toBe(expected);
  });

  it('is local for a DAG of any size: one workflow task holds a bounded batch of local calls, not the whole DAG', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, activity: 'x' }));
    // 1,001 was remote until the interpreter bounded local starts per workflow task; 5,001 also runs partitioned.
    expect(new Set(Object.values(modes(many(1001))))).toEqual(new Set(['local']));
    expect(new Set(Object.values(modes(many(5001))))).toEqual(new Set(['local']));
    expect(new Set(Object.values(modes(many(5001), { defaults: { mode: 'remote' } })))).toEqual(new Set(['remote']));
  });

  it('is the default, and reads settings the DAG defaults give', () => {
    expect(modes([{ id: 'a', activity: 'x' }, { id: 'b', activity: 'x' }], { defaults: { taskQueue: 'slow' } })).toEqual({ a: 'remote', b: 'remote' });
    expect(modes([{ id: 'a', activity: 'x' }], { defaults: { timeout: '1h' } })).toEqual({ a: 'remote' });
  });

  it('says why a call is remote', () => {
    const retry = { ...BUILTIN_DEFAULTS.retry };
    expect(remoteReason({ retry, timeouts: { startToCloseMs: AUTO_LOCAL_MAX_START_TO_CLOSE_MS + 1 } })).toBe('its startToClose timeout is over 5m');
    expect(remoteReason({ retry, taskQueue: 'gpu', timeouts: { startToCloseMs: 1000 } })).toBe('it is routed to task queue "gpu"');
    expect(remoteReason({ retry: { ...retry, maximumAttempts: 0 }, timeouts: { startToCloseMs: 1000 } })).toBe('it retries without limit (a local activity is not cancelled, so it must end on its own)');
    expect(remoteReason({ retry, timeouts: { startToCloseMs: 1000 } }, { map: true })).toBe('it is a map node (its items, unknown until it runs, would all be local activities of few workflow tasks)');
    expect(remoteReason({ retry, timeouts: { startToCloseMs: 1000 } })).toBeUndefined();
  });
});

describe('explicit modes', () => {
  it('are kept, from the node or from defaults.mode, and the node wins', () => {
    expect(modes([{ id: 'a', activity: 'x' }, { id: 'b', activity: 'x', mode: 'local' }], { defaults: { mode: 'remote' } })).toEqual({ a: 'remote', b: 'local' });
    expect(modes([{ id: 'long', activity: 'x', mode: 'local', timeout: '1h' }])).toEqual({ long: 'local' });
  });

  it('let a heartbeating built-in run locally when asked (its heartbeat timeout is only a default)', () => {
    expect(modes([{ id: 'fetch', activity: 'http.request', mode: 'local' }])).toEqual({ fetch: 'local' });
  });

  it('apply to compensations on their own, like taskQueue', () => {
    const dag = compileDag({ name: 'c', defaults: { mode: 'remote' }, nodes: [{ id: 'a', activity: 'x', mode: 'local', compensate: { activity: 'undo' } }, { id: 'b', activity: 'x', compensate: { activity: 'undo', mode: 'local' } }] });
    expect(dag.nodes.map((n) => [n.call!.mode, n.compensate!.mode])).toEqual([
      ['local', 'remote'],
      ['remote', 'local'],
    ]);
  });

  it('come from the builder too', () => {
    const dag = buildDag('built', chain(task('a', 'x', { mode: 'remote' }), task('b', 'x')), { defaults: { mode: 'local' } });
    expect(dag.nodes.map((n) => n.call!.mode)).toEqual(['remote', 'local']);
  });
});

describe('validation', () => {
  it('refuses an unknown mode with its path', () => {
    expect(issues({ name: 'm', nodes: [{ id: 'a', activity: 'x', mode: 'fast' }] })).toEqual([{ path: 'nodes[0].mode', message: 'expected local, remote or auto, got "fast"' }]);
    expect(issues({ name: 'm', defaults: { mode: 'Local' }, nodes: [{ id: 'a', activity: 'x' }] })).toEqual([{ path: 'defaults.mode', message: 'expected local, remote or auto, got "Local"' }]);
  });

  it('refuses mode: local with a task queue, a heartbeat or a scheduleToStart timeout, at the conflicting setting', () => {
    expect(issues({ name: 'm', nodes: [{ id: 'a', activity: 'x', mode: 'local', taskQueue: 'gpu', timeout: { heartbeat: '5s', scheduleToStart: '1m' } }] })).toEqual([
      { path: 'nodes[0].taskQueue', message: 'a local activity (mode: local at nodes[0].mode) cannot be routed to a task queue: it runs in the worker that runs the workflow; remove taskQueue or use mode: remote or auto' },
      { path: 'nodes[0].timeout.heartbeat', message: 'a local activity (mode: local at nodes[0].mode) cannot heartbeat, so a heartbeat timeout would never apply; remove timeout.heartbeat or use mode: remote or auto' },
      {
        path: 'nodes[0].timeout.scheduleToStart',
        message: 'a local activity (mode: local at nodes[0].mode) never waits in a task queue, so a scheduleToStart timeout would never apply; remove timeout.scheduleToStart or use mode: remote or auto',
      },
    ]);
  });

  it('names defaults when the conflict comes from them, once for the whole DAG', () => {
    expect(issues({ name: 'm', defaults: { mode: 'local', taskQueue: 'gpu' }, nodes: [{ id: 'a', activity: 'x' }, { id: 'b', activity: 'x' }] })).toEqual([
      { path: 'defaults.taskQueue', message: 'a local activity (mode: local at defaults.mode) cannot be routed to a task queue: it runs in the worker that runs the workflow; remove defaults.taskQueue or use mode: remote or auto' },
    ]);
    expect(issues({ name: 'm', defaults: { taskQueue: 'gpu' }, nodes: [{ id: 'a', activity: 'x', mode: 'local' }] })[0]!.path).toBe('nodes[0].mode');
    expect(issues({ name: 'm', defaults: { mode: 'local' }, nodes: [{ id: 'a', activity: 'x', compensate: { activity: 'undo', taskQueue: 'q' } }] })[0]!.path).toBe('nodes[0].compensate.taskQueue');
  });

  it('accepts a node that overrides defaults.mode: local with remote', () => {
    expect(issues({ name: 'm', defaults: { mode: 'local' }, nodes: [{ id: 'a', activity: 'x', mode: 'remote', taskQueue: 'gpu' }] })).toEqual([]);
  });

  it('refuses a mode on an approval node', () => {
    expect(issues({ name: 'm', nodes: [{ id: 'ok', type: 'approval', mode: 'local' }] })).toEqual([{ path: 'nodes[0].mode', message: 'an approval node has no mode' }]);
  });

  it('throws from the builder with the path', () => {
    expect(() => buildDag('bad', task('a', 'x', { mode: 'local', taskQueue: 'q' }))).toThrow(DagValidationError);
  });
});

describe('the packed form', () => {
  it('round-trips modes, storing the common one once', () => {
    const dag = compileDag({ name: 'p', nodes: [{ id: 'a', activity: 'x' }, { id: 'b', activity: 'x' }, { id: 'c', activity: 'http.request' }] });
    const packed = packDag(dag);
    expect(packed.common.mode).toBe('local');
    expect(packed.nodes.map((n) => n.call?.mode)).toEqual([undefined, undefined, 'remote']);
    expect(unpackDag(packed)).toEqual(dag);
  });

  it('leaves a DAG compiled before modes without any, which runs remote', () => {
    const old: CompiledDag = compileDag({ name: 'old', nodes: [{ id: 'a', activity: 'x' }] });
    delete old.nodes[0]!.call!.mode;
    const packed = packDag(old);
    expect(packed.common.mode).toBeUndefined();
    const back = unpackDag(packed);
    expect(back.nodes[0]!.call!.mode).toBeUndefined();
    expect(modeOf(back.nodes[0]!.call!)).toBe('remote');
  });
});
