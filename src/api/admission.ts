/**
 * Admission control for starts (POST /v1/runs). A start costs Temporal a
 * workflow creation, and one server plus worker sustains a few dozen per
 * second; past that, starts queue inside the gRPC client until the start
 * deadline turns them into 503s after seconds of waiting, and the wait
 * slows every start behind them. So this process sends at most `maxInFlight`
 * starts to Temporal at once, lets at most `maxQueued` more wait for a slot,
 * each for at most `maxQueueWaitMs`, and refuses the rest at once.
 *
 * A refused start was never sent to Temporal: no run exists because of it,
 * and the same request (the same Idempotency-Key) may be sent again.
 */
import { ApiError, ERROR_CODES } from './errors';

export interface StartLimits {
  /** Starts this process sends to Temporal at once. @defaultValue 16 */
  maxInFlight: number;
  /** Starts waiting for a slot; more are refused at once. 0: no waiting. @defaultValue 64 */
  maxQueued: number;
  /** Longest a start waits for a slot before it is refused, in ms. @defaultValue 1000 */
  maxQueueWaitMs: number;
}

export const DEFAULT_START_LIMITS: Readonly<StartLimits> = { maxInFlight: 16, maxQueued: 64, maxQueueWaitMs: 1000 };

export type RefusalReason = 'queue_full' | 'queue_wait';

/** A start this process refused before sending it to Temporal. */
export class StartRefusedError extends Error {
  override readonly name = 'StartRefusedError';
  constructor(
    readonly reason: RefusalReason,
    readonly limits: Readonly<StartLimits>,
    /** The run id the request asked for (Idempotency-Key or `id`), when it gave one. */
    readonly id: string | undefined,
  ) {
    const why =
      reason === 'queue_full'
        ? `${limits.maxInFlight} starts are in flight and ${limits.maxQueued} waiting (api.starts.maxInFlight, api.starts.maxQueued)`
        : `no start slot came free within ${limits.maxQueueWaitMs} ms (api.starts.maxQueueWaitMs)`;
    const retry = id === undefined ? 'Start again later; send an Idempotency-Key so that retries are safe' : 'Start again with the same Idempotency-Key after Retry-After';
    super(`the API is at its limit of concurrent starts: ${why}. This start was not sent to Temporal and no run exists for it. ${retry}`);
  }

  toApiError(): ApiError {
    return new ApiError(503, ERROR_CODES.OVERLOADED, this.message, undefined, { mayExist: false, ...(this.id !== undefined ? { id: this.id } : {}) });
  }
}

interface Waiter {
  admit(): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A counting semaphore with a bounded, time-limited FIFO queue. */
export class StartGate {
  readonly limits: Readonly<StartLimits>;
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private head = 0;
  /** Starts refused since the gate was made, by reason. */
  readonly refused: Record<RefusalReason, number> = { queue_full: 0, queue_wait: 0 };

  constructor(limits: Partial<StartLimits> = {}) {
    this.limits = checkLimits({ ...DEFAULT_START_LIMITS, ...limits });
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /**
   * A slot, or StartRefusedError when the queue is full or the wait too long.
   * Call the returned function once when the start is done, however it ended.
   */
  async acquire(id?: string): Promise<() => void> {
    if (this.running < this.limits.maxInFlight && this.queued === 0) {
      this.running++;
      return this.releaser();
    }
    if (this.queued >= this.limits.maxQueued) throw this.refuse('queue_full', id);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          this.drop(waiter);
          reject(this.refuse('queue_wait', id));
        }, this.limits.maxQueueWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private refuse(reason: RefusalReason, id: string | undefined): StartRefusedError {
    this.refused[reason]++;
    return new StartRefusedError(reason, this.limits, id);
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      this.admitNext();
    };
  }

  private admitNext(): void {
    if (this.running >= this.limits.maxInFlight || this.queued === 0) return;
    const next = this.waiting[this.head++]!;
    // Compact now and then, so the array does not grow with every start ever queued (and no shift() per admit).
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.running++;
    next.admit();
  }

  private drop(waiter: Waiter): void {
    const i = this.waiting.indexOf(waiter, this.head);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}

/** Bad bounds fail when the API is built, naming the setting. */
function checkLimits(l: StartLimits): StartLimits {
  const check = (name: keyof StartLimits, min: number): void => {
    const v = l[name];
    if (!Number.isInteger(v) || v < min) throw new RangeError(`api.starts.${name}: expected an integer >= ${min}, got ${String(v)}`);
  };
  check('maxInFlight', 1);
  check('maxQueued', 0);
  check('maxQueueWaitMs', 1);
  return l;
}
