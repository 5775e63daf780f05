/**
 * Activity calls under the run-wide `concurrency` limit: a call waits for a
 * slot in arrival order, starts, and its outcome goes to the node (or to its
 * map). A freed slot goes to the next waiter before the finished call's
 * outcome is applied, as the recorded histories show.
 */
import { isTemplate } from '../../dag/expressions';
import type { CompiledNode } from '../../dag/types';
import type { RunMachine } from './machine';
import { Slots, type SlotRequest } from './slots';
import type { CallOutcome } from './types';

/** Whether a JSON value holds a template anywhere (stops at the first). */
function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

export class Calls {
  private readonly slots: Slots;
  /** Per node: its activity input holds no template (computed once). */
  private readonly literalInput = new Map<string, boolean>();

  constructor(
    private readonly m: RunMachine,
    concurrency: number,
  ) {
    this.slots = new Slots(concurrency);
  }

  /** Lean calls pass such an input as it is, without an `evaluate` round. */
  isLiteral(id: string, input: unknown): boolean {
    let literal = this.literalInput.get(id);
    if (literal === undefined) {
      literal = !hasTemplate(input);
      this.literalInput.set(id, literal);
    }
    return literal;
  }

  request(req: SlotRequest): void {
    // A node whose scope is cancelled never gets as far as the call.
    if (req.index === undefined && this.m.halted) return this.m.finish(this.m.node(req.node), this.m.cancelledOutcome());
    if (this.slots.request(req)) this.granted(req);
  }

  private granted(req: SlotRequest): void {
    const m = this.m;
    const node = m.node(req.node);
    if (req.index !== undefined) return m.maps.granted(node, req);
    // A call in a cancelled scope ends as cancelled without reaching the server.
    if (m.halted) {
      this.release();
      return m.finish(node, m.cancelledOutcome());
    }
    // While draining for continue-as-new the slot is held and the call waits for the next execution.
    if (m.draining) return;
    m.book.setState(m.book.get(node.id), 'running');
    m.inFlight++;
    m.out.push({ kind: 'call', node: node.id, activityId: node.id, call: node.call!, input: req.input });
  }

  release(): void {
    for (const req of this.slots.release()) this.granted(req);
  }

  /** Takes waiting requests out of the queue (their scope was cancelled) and ends what waited. */
  withdrawWaiting(match: (req: SlotRequest) => boolean): void {
    for (const req of this.slots.drop(match)) {
      if (req.index !== undefined) this.m.maps.withdrawn(this.m.node(req.node), req);
      else this.m.finish(this.m.node(req.node), this.m.cancelledOutcome());
    }
  }

  done(node: CompiledNode, index: number | undefined, result: CallOutcome): void {
    const m = this.m;
    m.inFlight--;
    this.release();
    if (index !== undefined) return m.maps.itemDone(node, index, result);
    if (result.kind === 'cancelled') return m.finish(node, m.cancelledOutcome());
    if (result.kind === 'failed') return m.policies.failed(node, result.error, result.attempt);
    m.finish(node, { state: 'succeeded', output: result.output, ...(result.attempt !== undefined ? { attempts: result.attempt } : {}) });
  }
}
