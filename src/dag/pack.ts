/**
 * The wire form of a compiled DAG, used as the `dagRun` argument. Fields equal
 * to their defaults are left out and the most common retry policy and timeouts
 * are stored once, so a 5,000-node DAG stays far below Temporal's 2 MB payload
 * limit (and so does its continue-as-new input). `unpackDag` restores the
 * compiled form exactly. A packed DAG without `common.mode` was packed before
 * calls had a mode: its calls without one stay without one (remote).
 */
import { canonicalJson } from './hash';
import { BUILTIN_DEFAULTS, type CallMode, type CompiledActivityCall, type CompiledDag, type CompiledNode, type CompiledRetry, type CompiledTimeouts } from './types';

export const PACKED_FORMAT = 'weft-dag/1';

type PackedCall = Omit<CompiledActivityCall, 'retry' | 'timeouts'> & { retry?: CompiledRetry; timeouts?: CompiledTimeouts };
type PackedNode = Omit<CompiledNode, 'kind' | 'after' | 'trigger' | 'onError' | 'call' | 'compensate'> &
  Partial<Pick<CompiledNode, 'kind' | 'after' | 'trigger' | 'onError'>> & { call?: PackedCall; compensate?: PackedCall };

export interface PackedDag extends Omit<CompiledDag, 'nodes' | 'formatVersion'> {
  format: typeof PACKED_FORMAT;
  formatVersion: CompiledDag['formatVersion'];
  common: { retry: CompiledRetry; timeouts: CompiledTimeouts; mode?: CallMode };
  nodes: PackedNode[];
}

export function isPackedDag(value: unknown): value is PackedDag {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === PACKED_FORMAT;
}

function mostCommon<T>(values: T[], fallback: T): T {
  const counts = new Map<string, { value: T; n: number }>();
  for (const v of values) {
    const key = canonicalJson(v);
    const entry = counts.get(key) ?? { value: v, n: 0 };
    entry.n++;
    counts.set(key, entry);
  }
  let best: { value: T; n: number } | undefined;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return best?.value ?? fallback;
}

/** The most common mode of calls that have one; left out when none has (a DAG compiled before modes). */
function modeOfMost(calls: CompiledActivityCall[]): { mode?: CallMode } {
  let local = 0;
  let remote = 0;
  for (const c of calls) {
    if (c.mode === 'local') local++;
    else if (c.mode === 'remote') remote++;
  }
  if (local + remote === 0) return {};
  return { mode: local >= remote ? 'local' : 'remote' };
}

export function packDag(dag: CompiledDag): PackedDag {
  const calls = dag.nodes.flatMap((n) => [n.call, n.compensate].filter((c): c is CompiledActivityCall => c !== undefined));
  const common = {
    retry: mostCommon(calls.map((c) => c.retry), { ...BUILTIN_DEFAULTS.retry, nonRetryableErrorTypes: [] }),
    timeouts: mostCommon(calls.map((c) => c.timeouts), { startToCloseMs: BUILTIN_DEFAULTS.startToCloseMs }),
    ...modeOfMost(calls),
  };
  const retryKey = canonicalJson(common.retry);
  const timeoutsKey = canonicalJson(common.timeouts);
  const packCall = (c: CompiledActivityCall): PackedCall => {
    const { retry, timeouts, mode: own, ...rest } = c;
    // A call without a mode is remote; with a common mode set, it must say so.
    const mode = own ?? (common.mode ? 'remote' : undefined);
    return {
      ...rest,
      ...(canonicalJson(retry) !== retryKey ? { retry } : {}),
      ...(canonicalJson(timeouts) !== timeoutsKey ? { timeouts } : {}),
      ...(mode !== undefined && mode !== common.mode ? { mode } : {}),
    };
  };
  const { nodes, formatVersion, ...head } = dag;
  return {
    format: PACKED_FORMAT,
    formatVersion,
    ...head,
    common,
    nodes: nodes.map((n) => {
      const { kind, after, trigger, onError, call, compensate, ...rest } = n;
      return {
        ...rest,
        ...(kind !== 'activity' ? { kind } : {}),
        ...(after.length ? { after } : {}),
        ...(trigger !== BUILTIN_DEFAULTS.trigger ? { trigger } : {}),
        ...(onError !== 'fail' ? { onError } : {}),
        ...(call ? { call: packCall(call) } : {}),
        ...(compensate ? { compensate: packCall(compensate) } : {}),
      };
    }),
  };
}

export function unpackDag(packed: PackedDag): CompiledDag {
  const { format: _format, common, nodes, ...head } = packed;
  const unpackCall = (c: PackedCall): CompiledActivityCall => {
    const mode = c.mode ?? common.mode;
    return { ...c, retry: c.retry ?? common.retry, timeouts: c.timeouts ?? common.timeouts, ...(mode ? { mode } : {}) };
  };
  return {
    ...head,
    nodes: nodes.map((n) => {
      const { call, compensate, ...rest } = n;
      const node: CompiledNode = { ...rest, kind: n.kind ?? 'activity', after: n.after ?? [], trigger: n.trigger ?? BUILTIN_DEFAULTS.trigger, onError: n.onError ?? 'fail' };
      if (call) node.call = unpackCall(call);
      if (compensate) node.compensate = unpackCall(compensate);
      return node;
    }),
  };
}

/** Accepts either form: what clients send is packed, but a compiled DAG is fine too. */
export function toCompiled(dag: CompiledDag | PackedDag): CompiledDag {
  return isPackedDag(dag) ? unpackDag(dag) : dag;
}
