/**
 * The run-wide concurrency limit as plain data: a counter and a FIFO of
 * waiting requests read through a head index, so granting is O(1) amortised
 * (no Array.shift, no promise per waiter).
 */
export interface SlotRequest {
  node: string;
  index?: number;
  input: unknown;
  /** Withdrawn while waiting (its node or map was cancelled); skipped when its turn comes. */
  dropped?: boolean;
}

export class Slots {
  private inUse = 0;
  private queue: SlotRequest[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  /** True when the request got a slot at once; otherwise it waits its turn. */
  request(req: SlotRequest): boolean {
    if (this.inUse < this.capacity && this.head === this.queue.length) {
      this.inUse++;
      return true;
    }
    this.queue.push(req);
    return false;
  }

  /** Frees a slot and returns the waiting requests that now hold one, in arrival order. */
  release(): SlotRequest[] {
    this.inUse--;
    const granted: SlotRequest[] = [];
    while (this.inUse < this.capacity && this.head < this.queue.length) {
      const next = this.queue[this.head++]!;
      if (next.dropped) continue;
      this.inUse++;
      granted.push(next);
    }
    // Drop the consumed prefix now and then, so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return granted;
  }

  /** Withdraws every waiting request that `match` selects, and returns them. */
  drop(match: (req: SlotRequest) => boolean): SlotRequest[] {
    const out: SlotRequest[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const req = this.queue[i]!;
      if (!req.dropped && match(req)) {
        req.dropped = true;
        out.push(req);
      }
    }
    return out;
  }
}
