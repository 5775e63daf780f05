/**
 * A bound on the local activities one workflow task runs (docs/interpreter.md,
 * "Scale"). A workflow task stays open while any local activity it started is
 * running, and the worker only cuts it at 80% of the task timeout; a run that
 * always has a local node ready (a layered DAG of thousands) would make one
 * task of all of them. On a loaded machine such a task outlived its timeout,
 * and a timed-out task re-runs every local activity it had run (20,000 calls
 * for 5,000 nodes at load 23). So after `LOCAL_CALLS_PER_TASK` local starts,
 * further ones wait for a 1 ms timer: its firing needs a new workflow task,
 * which the server starts only once the current one has closed with the
 * markers of the calls before it. No task then holds more than about that
 * many local activities, and a timeout re-runs at most those.
 *
 * Runs recorded before this (no `weft-local-batches` marker) start every
 * local call at once, as they did; the marker is written at the first
 * barrier, so a run with fewer local calls records nothing new.
 */
import { CancellationScope, patched, sleep } from '@temporalio/workflow';

export const LOCAL_BATCHES_PATCH = 'weft-local-batches';

/** Local activities started between two barriers. */
export const LOCAL_CALLS_PER_TASK = 200;

export class LocalBudget {
  private left: number;
  private waiting: Array<() => void> = [];
  private barrier = false;
  /** Undefined until the first barrier asks whether this run has the patch. */
  private enabled: boolean | undefined;

  constructor(private readonly perTask = LOCAL_CALLS_PER_TASK) {
    this.left = perTask;
  }

  /** Starts `start` now, or once the current batch's workflow task has closed. */
  run(start: () => void): void {
    if (this.left > 0 || this.enabled === false) {
      this.left--;
      start();
      return;
    }
    this.enabled ??= patched(LOCAL_BATCHES_PATCH);
    if (!this.enabled) {
      start();
      return;
    }
    this.waiting.push(start);
    if (this.barrier) return;
    this.barrier = true;
    // Not cancellable: the machine counts these calls as in flight, so they must start even in a cancelled run.
    void CancellationScope.nonCancellable(() => sleep(1)).then(() => {
      this.barrier = false;
      this.left = this.perTask;
      const ready = this.waiting;
      this.waiting = [];
      for (const s of ready) this.run(s);
    });
  }
}
