/**
 * Drives a RunMachine without a server, the way the workflow shell does:
 * expressions are evaluated for real (JSONata), activity calls complete in
 * the order they started with the outcome the test gives for their id,
 * timers and decision deadlines fire on a virtual clock, and `stop`/`cancel`
 * resolve what is in flight as cancelled. It records what a test asserts on.
 */
import { evaluateTemplate, evaluateValue } from '../../../src/dag/expressions';
import type { CompiledDag } from '../../../src/dag/types';
import type { CarriedState } from '../../../src/workflows/carry';
import type { NodeState } from '../../../src/dag/types';
import type { ApprovalDecision, FailureDecision, RunStatus } from '../../../src/workflows/messages';
import { RunMachine } from '../../../src/workflows/machine/machine';
import type { CallOutcome, Command, EndCommand, RunEvent } from '../../../src/workflows/machine/types';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** An activity's answer: an output, a failure, or no answer until the run stops it. */
export type Reply = { ok: unknown; attempt?: number } | { fail: string; type?: string; attempt?: number } | 'hold';

export interface World {
  /** By activity id (`node`, `node/index`, `node/notify`, `node/compensate`); a list answers successive calls. Default: `{ ok: '<id> done' }`. */
  replies?: Record<string, Reply | Reply[]>;
  /** Decisions given as soon as a node waits for one; a list answers successive waits. Without one, the deadline passes. */
  decisions?: Record<string, ApprovalDecision | FailureDecision | Array<ApprovalDecision | FailureDecision>>;
  /** Activities without a reply answer with their input instead of `'<id> done'`. */
  echo?: boolean;
  /** Cancel the run right after this activity id starts. */
  cancelAfter?: string;
  /** History is long from this many started calls on (continue-as-new). */
  longAfterCalls?: number;
}

export interface Trace {
  /** Activity ids in the order their calls started. */
  calls: string[];
  /** Inputs of the calls, by activity id. */
  inputs: Record<string, unknown>;
  /** Timers started: [node, ms]. */
  timers: Array<[string, number]>;
  /** Most run-wide calls in flight at once (notify and compensate calls not counted). */
  maxInFlight: number;
  end?: EndCommand;
  status: RunStatus;
  states: Record<string, NodeState>;
  machine: RunMachine;
  commands: Command[];
}

type Pending = { due: number; seq: number; event: () => RunEventBody };
type RunEventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at' | 'long'> : never) : never;

export async function drive(dag: CompiledDag, input: unknown, world: World = {}, init: { carried?: CarriedState; reuse?: Record<string, unknown>; now?: number; lean?: boolean } = {}): Promise<Trace> {
  let now = init.now ?? T0;
  const m = new RunMachine({ dag, input, runId: 'run-1', now, ...(init.reuse ? { reuse: init.reuse } : {}), ...(init.carried ? { carried: init.carried } : {}) });
  // Runs with the `weft-lean-calls` marker (runner.ts).
  m.lean = init.lean ?? false;
  const trace: Omit<Trace, 'status' | 'states'> = { calls: [], inputs: {}, timers: [], maxInFlight: 0, machine: m, commands: [] };
  const ready: Array<() => Promise<RunEventBody> | RunEventBody> = [];
  let later: Pending[] = [];
  const held = new Map<string, { node: string; index?: number; kind: 'call' | 'notify' }>();
  const answered = new Map<string, number>();
  let seq = 0;
  let inFlight = 0;
  let ended = false;

  const nth = <T>(v: T | T[] | undefined, key: string): T | undefined => {
    if (!Array.isArray(v)) return v;
    const i = answered.get(key) ?? 0;
    answered.set(key, i + 1);
    return v[Math.min(i, v.length - 1)];
  };
  const outcome = (id: string, input: unknown): CallOutcome | 'hold' => {
    const r = nth(world.replies?.[id], id) ?? { ok: world.echo ? input : `${id} done` };
    if (r === 'hold') return 'hold';
    if ('ok' in r) return { kind: 'ok', output: r.ok, ...(r.attempt !== undefined ? { attempt: r.attempt } : {}) };
    return { kind: 'failed', error: { message: r.fail, ...(r.type ? { type: r.type } : {}) }, ...(r.attempt !== undefined ? { attempt: r.attempt } : {}) };
  };
  const cancelHeld = (match: (h: { node: string; index?: number }) => boolean): void => {
    for (const [id, h] of held) {
      if (!match(h)) continue;
      held.delete(id);
      const index = h.index !== undefined ? { index: h.index } : {};
      ready.push(() => (h.kind === 'call' ? { type: 'activity-done', node: h.node, ...index, result: { kind: 'cancelled' } } : { type: 'notified', node: h.node, result: { kind: 'cancelled' } }));
    }
  };
  const cancelWaits = (): void => {
    for (const p of later) ready.push(() => ({ type: 'node-cancelled', node: (p.event() as { node: string }).node }));
    later = [];
  };
  const feed = (event: RunEventBody): void => {
    const long = world.longAfterCalls !== undefined && trace.calls.length >= world.longAfterCalls;
    apply(m.handle({ ...event, at: now, long }));
  };
  const call = (kind: 'call' | 'notify' | 'compensate', c: { node: string; index?: number; activityId: string; input: unknown }): void => {
    trace.calls.push(c.activityId);
    trace.inputs[c.activityId] = c.input;
    const r = outcome(c.activityId, c.input);
    if (kind === 'call') trace.maxInFlight = Math.max(trace.maxInFlight, ++inFlight);
    const index = c.index !== undefined ? { index: c.index } : {};
    if (r === 'hold' && kind !== 'compensate') held.set(c.activityId, { node: c.node, ...index, kind });
    else {
      const result: CallOutcome = r === 'hold' ? { kind: 'cancelled' } : r;
      ready.push(() => (kind === 'call' ? { type: 'activity-done', node: c.node, ...index, result } : kind === 'notify' ? { type: 'notified', node: c.node, result } : { type: 'compensated', node: c.node, result }));
    }
    if (world.cancelAfter === c.activityId) ready.unshift(() => ({ type: 'cancel' }));
  };
  const apply = (commands: Command[]): void => {
    for (const c of commands) {
      trace.commands.push(c);
      switch (c.kind) {
        case 'evaluate': {
          const ctx = c.index === undefined ? m.context() : m.context({ item: c.item, index: c.index });
          const index = c.index !== undefined ? { index: c.index } : {};
          ready.push(() =>
            (c.template ? evaluateTemplate(c.expr as string, ctx) : evaluateValue(c.expr, ctx)).then(
              (value): RunEventBody => ({ type: 'evaluated', node: c.node, step: c.step, ...index, value }),
              (err: Error): RunEventBody => ({ type: 'evaluation-failed', node: c.node, step: c.step, ...index, message: err.message }),
            ),
          );
          break;
        }
        case 'call':
        case 'notify':
        case 'compensate':
          call(c.kind, c);
          break;
        case 'timer':
          trace.timers.push([c.node, c.ms]);
          later.push({ due: now + c.ms, seq: seq++, event: () => ({ type: 'timer-fired', node: c.node }) });
          break;
        case 'wait-decision': {
          const d = nth(world.decisions?.[c.node], `decision:${c.node}`);
          if (d) {
            ready.push(() => ('decision' in d ? { type: 'approval', decision: d } : { type: 'failure-decision', decision: d }));
            ready.push(() => ({ type: 'decision-due', node: c.node, decided: true }));
          } else later.push({ due: now + c.ms, seq: seq++, event: () => ({ type: 'decision-due', node: c.node, decided: false }) });
          break;
        }
        case 'cancel-items':
          cancelHeld((h) => h.node === c.node && h.index !== undefined);
          break;
        case 'stop':
          cancelHeld(() => true);
          cancelWaits();
          break;
        case 'complete-run':
        case 'fail-run':
        case 'cancel-run':
        case 'continue-as-new':
          trace.end = c;
          ended = true;
          break;
        default:
          break;
      }
    }
  };

  feed({ type: 'start' });
  for (let guard = 0; guard < 100_000 && !ended; guard++) {
    const next = ready.shift();
    if (next) {
      const event = await next();
      if (event.type === 'activity-done') inFlight--;
      if (event.type === 'cancel') {
        cancelHeld(() => true);
        cancelWaits();
      }
      feed(event);
      continue;
    }
    if (m.cancelled ? m.active === 0 : m.settled) {
      feed({ type: 'end' });
      continue;
    }
    if (later.length === 0) break;
    later.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const p = later.shift()!;
    now = Math.max(now, p.due);
    ready.push(p.event);
  }
  const status = m.status({ outputs: true });
  return { ...trace, status, states: Object.fromEntries(status.nodes.map((n) => [n.id, n.state])) };
}
