/**
 * A FIFO counting semaphore for workflow code: deterministic, no timers, and
 * O(1) per release (no condition re-evaluated per waiter), so a run with
 * thousands of queued nodes stays cheap per activation.
 */
import { CancellationScope } from '@temporalio/workflow';

interface Waiter {
  resolve: () => void;
  cancelled: boolean;
  granted: boolean;
}

export class Semaphore {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly capacity: number) {}

  /** Waits for a slot in arrival order; rejects if the current scope is cancelled. */
  async acquire(): Promise<void> {
    if (this.inUse < this.capacity && this.waiters.length === 0) {
      this.inUse++;
      return;
    }
    let waiter!: Waiter;
    const granted = new Promise<void>((resolve) => {
      waiter = { resolve, cancelled: false, granted: false };
    });
    this.waiters.push(waiter);
    try {
      await Promise.race([granted, CancellationScope.current().cancelRequested]);
    } catch (err) {
      waiter.cancelled = true;
      // Granted and cancelled in the same activation: give the slot back.
      if (waiter.granted) this.release();
      throw err;
    }
  }

  release(): void {
    this.inUse--;
    this.grant();
  }

  private grant(): void {
    while (this.inUse < this.capacity && this.waiters.length > 0) {
      const next = this.waiters.shift()!;
      if (next.cancelled) continue;
      this.inUse++;
      next.granted = true;
      next.resolve();
    }
  }
}
